import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from oneteam.command import services
from oneteam.command.services import Intake
from oneteam.core.errors import InvalidInput, NotPermitted
from oneteam.workflow.declare import PartyRole
from oneteam.workflow.models import Party, Process
from oneteam.workflow.services import perform

pytestmark = pytest.mark.django_db

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
       b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def photo(name="p.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def report(world, **kw):
    intake = Intake(channel=kw.pop("channel", "grid_patrol"), category=kw.pop("category", "ZDJY"),
                    description=kw.pop("description", "东村菜场门口占道摆摊"), lng=kw.pop("lng", 120.61),
                    lat=kw.pop("lat", 27.71), **kw)
    return services.report_event(intake, actor=world.gridder)


def test_report_routes_to_township_room_and_copies_reporter(world):
    result = report(world)
    process = result.event.process
    assert process.state == "reported" and process.township == world.township
    roles = {(p.body_id, p.role) for p in Party.objects.filter(process=process)}
    assert (world.command_room.pk, PartyRole.INITIATOR) in roles
    assert (world.committee.pk, PartyRole.COPIED) in roles
    assert (world.command_centre.pk, PartyRole.SUPERVISOR) in roles
    assert result.event.grid_id == world.grid.pk and result.event.village_id == world.village.pk
    assert process.deadlines.get(name="dispatch").stopped_at is None


def test_full_loop_dispatch_accept_report_back_close_evaluate(world):
    event = report(world).event
    p = event.process
    perform(p, "file", actor=world.dispatcher, data={"conditions": ["存在摆摊设点经营行为"]})
    perform(p, "dispatch", actor=world.dispatcher, data={"body": world.team.pk})
    assert set(p.parties.filter(role="assignee", active=True).values_list("body", flat=True)) == {world.team.pk}
    perform(p, "accept", actor=world.officer)
    perform(p, "report_back", actor=world.officer, data={"result": "已劝离摊贩"}, attachments=[photo()])
    perform(p, "close", actor=world.dispatcher, data={"conditions": ["摊点已撤离"]})
    perform(p, "evaluate", actor=world.dispatcher, data={"satisfaction": "satisfied"})
    p.refresh_from_db()
    assert p.state == "archived" and p.closed_at is not None and p.satisfaction == "satisfied"
    assert list(p.transitions.values_list("action", flat=True)) == [
        "start", "file", "dispatch", "accept", "report_back", "close", "evaluate"]
    response = p.deadlines.get(name="response")
    assert response.met_on_time is True


def test_file_refused_without_all_conditions(world):
    p = report(world).event.process
    with pytest.raises(InvalidInput) as exc:
        perform(p, "file", actor=world.dispatcher, data={"conditions": ["其他"]})
    assert exc.value.code == "conditions_unmet"


def test_return_needs_reason_and_goes_back_to_filed(world):
    p = report(world).event.process
    perform(p, "file", actor=world.dispatcher, data={"conditions": ["存在摆摊设点经营行为"]})
    perform(p, "dispatch", actor=world.dispatcher, data={"body": world.team.pk})
    with pytest.raises(InvalidInput):
        perform(p, "return_assignment", actor=world.officer)
    perform(p, "return_assignment", actor=world.officer, reason="不属于本队职责")
    p.refresh_from_db()
    assert p.state == "filed"
    assert not p.parties.filter(role="assignee", active=True).exists()


def test_rework_returns_to_same_body_and_restarts_handling(world):
    p = report(world).event.process
    perform(p, "file", actor=world.dispatcher, data={"conditions": ["存在摆摊设点经营行为"]})
    perform(p, "dispatch", actor=world.dispatcher, data={"body": world.team.pk})
    perform(p, "accept", actor=world.officer)
    perform(p, "report_back", actor=world.officer, data={"result": "已处置"}, attachments=[photo()])
    perform(p, "rework", actor=world.dispatcher, reason="现场仍有摊点")
    p.refresh_from_db()
    assert p.state == "handling"
    assert p.deadlines.filter(name="handling").count() == 2
    assert p.transitions.filter(counts_as="rework").count() == 1


def test_suspend_pauses_handling_clock(world):
    p = report(world).event.process
    perform(p, "file", actor=world.dispatcher, data={"conditions": ["存在摆摊设点经营行为"]})
    perform(p, "dispatch", actor=world.dispatcher, data={"body": world.team.pk})
    perform(p, "accept", actor=world.officer)
    perform(p, "suspend", actor=world.officer, reason="等待权属部门认定")
    d = p.deadlines.get(name="handling", stopped_at__isnull=True)
    assert d.paused_since is not None
    perform(p, "resume", actor=world.officer)
    d.refresh_from_db()
    assert d.paused_since is None and len(d.pauses) == 1


def test_township_room_cannot_dispatch_outside_township(world):
    p = report(world).event.process
    perform(p, "file", actor=world.dispatcher, data={"conditions": ["存在摆摊设点经营行为"]})
    with pytest.raises(InvalidInput) as exc:
        perform(p, "dispatch", actor=world.dispatcher, data={"body": world.other_team.pk})
    assert exc.value.code == "outside_township"


def test_coordination_request_then_centre_dispatches_department(world):
    p = report(world).event.process
    perform(p, "file", actor=world.dispatcher, data={"conditions": ["存在摆摊设点经营行为"]})
    perform(p, "request_coordination", actor=world.dispatcher, reason="需市场监管部门协助",
            data={"coordination_kind": "assistance"})
    perform(p, "coordinate", actor=world.centre_dispatcher, data={"body": world.department.pk})
    perform(p, "accept", actor=world.dept_handler)
    assert Process.objects.get(pk=p.pk).state == "handling"


def test_other_township_cannot_act_or_see(world):
    p = report(world).event.process
    with pytest.raises(NotPermitted):
        perform(p, "file", actor=world.other_dispatcher, data={"conditions": ["存在摆摊设点经营行为"]})
    assert not Process.objects.visible_to(world.other_dispatcher).filter(pk=p.pk).exists()


def test_idempotent_retry_returns_same_event(world):
    a = report(world, idempotency_key="abc-1")
    b = report(world, idempotency_key="abc-1")
    assert a.created and not b.created and a.event.pk == b.event.pk


def test_duplicate_suggested_and_merged(world):
    first = report(world).event
    second = report(world, lng=120.6102, lat=27.7101).event
    assert [s.candidate_id for s in second.duplicate_suggestions.all()] == [first.pk]
    perform(second.process, "merge", actor=world.dispatcher, data={"duplicate_of": first.process.number})
    second.refresh_from_db()
    assert second.duplicate_of_id == first.pk


def test_duplicates_only_open_same_category_near_and_recent(world):
    from oneteam.command.models import EventCategory

    near = report(world).event  # open, same category, ~15 m away: suggested
    report(world, lng=120.6125, lat=27.7125)  # ~370 m away: outside the 100 m radius
    report(world, occurred_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))  # outside the 72 h window
    closed = report(world).event
    perform(closed.process, "cancel", actor=world.dispatcher, reason="误报")
    merged = report(world).event
    perform(merged.process, "merge", actor=world.dispatcher, data={"duplicate_of": near.process.number})
    other = EventCategory.objects.create(code="LJDF", name="垃圾乱堆", level="township")
    report(world, category=other.code)  # another category
    new = report(world, lng=120.6101, lat=27.7101).event
    suggested = {s.candidate_id: s.distance_m for s in new.duplicate_suggestions.all()}
    assert list(suggested) == [near.pk]
    assert 0 < suggested[near.pk] < 100
    closed.process.refresh_from_db()
    assert closed.process.closed_at is not None  # so it was left out for being closed


def test_merge_offers_open_unmerged_leads_of_the_category_newest_first(world):
    from oneteam.command.forms_flow import merge_candidates
    from oneteam.command.models import EventCategory

    first = report(world, lng=120.6125, lat=27.7125).event  # too far to be suggested (~370 m), yet offered
    second = report(world, lng=120.6135, lat=27.7135).event
    closed = report(world, lng=120.6115, lat=27.7115).event
    perform(closed.process, "cancel", actor=world.dispatcher, reason="误报")
    merged = report(world, lng=120.6145, lat=27.7145).event
    perform(merged.process, "merge", actor=world.dispatcher, data={"duplicate_of": second.process.number})
    other = EventCategory.objects.create(code="LJDF", name="垃圾乱堆", level="township")
    report(world, category=other.code)  # another category
    report(world, lng=120.71, lat=27.71)  # another township
    near = report(world, lng=120.6102, lat=27.7101).event
    new = report(world).event
    offered = [number for number, _label in merge_candidates(new.process, world.dispatcher)]
    assert offered == [near.process.number, second.process.number, first.process.number]
    # A suggested duplicate closed since is no longer offered.
    assert [s.candidate_id for s in new.duplicate_suggestions.all()] == [near.pk]
    perform(near.process, "cancel", actor=world.dispatcher, reason="误报")
    offered = [number for number, _label in merge_candidates(new.process, world.dispatcher)]
    assert offered == [second.process.number, first.process.number]


@pytest.mark.parametrize(("kw", "code"), [
    ({"lng": 121.9, "lat": 26.0}, "outside_grids"),
    ({"lng": None, "lat": None}, "location_required"),
    ({"description": "长" * 5000}, "description_too_long"),
    ({"description": "  "}, "description_required"),
    ({"channel": "fax"}, "unknown_channel"),
])
def test_bad_intake_rejected_and_nothing_stored(world, kw, code):
    before = Process.objects.count()
    with pytest.raises(InvalidInput) as exc:
        report(world, **kw)
    assert exc.value.code == code
    assert Process.objects.count() == before


def test_address_only_needs_township(world):
    result = services.report_event(Intake(channel="hotline", category="ZDJY", description="x", address="甲镇北街1号",
                                          township=world.township), actor=world.centre_dispatcher)
    assert result.event.township == world.township and result.event.grid is None


def test_on_spot_enforcement_needs_two_certified_officers(world):
    p = report(world, channel="staff_discovery").event.process
    # The reporter was the grid officer's body; make the team copied as a discovering body.
    from oneteam.workflow.models import Party

    Party.objects.create(process=p, body=world.team, role=PartyRole.COPIED)
    with pytest.raises(InvalidInput):
        perform(p, "enforce_on_spot", actor=world.officer, data={"result": "当场处罚"}, attachments=[photo()],
                officers=[world.officer])
    perform(p, "enforce_on_spot", actor=world.officer, data={"result": "当场处罚"}, attachments=[photo()],
            officers=[world.officer, world.officer2])
    p.refresh_from_db()
    assert p.state == "reported_back"


def test_supervise_records_comment(world):
    p = report(world).event.process
    services.do_supervise(p.record, actor=world.centre_dispatcher, reason="请加快处置")
    assert p.comments.filter(text__contains="督办").exists()
    with pytest.raises(NotPermitted):
        services.do_supervise(p.record, actor=world.officer, reason="x")


def test_patrol_start_points_end(world):
    patrol = services.do_start_patrol(world.gridder, lng=120.61, lat=27.71)
    services.do_add_route_points(patrol, actor=world.gridder, points=[[120.611, 27.711], [120.612, 27.712]])
    patrol.refresh_from_db()
    assert len(patrol.route) == 3 and patrol.distance_m > 100
    services.do_end_patrol(patrol, actor=world.gridder)
    with pytest.raises(InvalidInput):
        services.do_end_patrol(patrol, actor=world.gridder)


def test_deadline_explained_on_holiday_edge(world):
    # Working-day handling deadline over 国庆 2026 is computed by the calendar, stored with its explanation.
    from django.utils import timezone

    from oneteam.worktime.engine import Period, PeriodKind
    from oneteam.worktime.services import get_calendar

    start = timezone.make_aware(dt.datetime(2026, 9, 30, 10, 0))
    d = get_calendar().deadline(start, Period(PeriodKind.WORKING_DAYS, 1))
    assert timezone.localtime(d.due).date() == dt.date(2026, 10, 8)
