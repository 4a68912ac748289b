"""The kernel through the test-only "drill" flow: transitions, permissions,
requirements, deadlines, conflicts, ledger, access."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from oneteam.core.errors import Conflict, InvalidInput, NotPermitted
from oneteam.core.testing import make_body, make_user
from oneteam.ledger.models import LedgerEntry
from oneteam.org.choices import BodyKind, Role
from oneteam.workflow import services
from oneteam.workflow.declare import PartyRole
from oneteam.workflow.models import Attachment, Blob, Party, Process, ProcessDeadline, Transition

from .conftest import TZ, png

pytestmark = pytest.mark.django_db


def _local(d: dt.datetime) -> dt.datetime:
    return d.astimezone(TZ)


def _end_of(y, m, d) -> dt.datetime:
    return dt.datetime(y, m, d, 23, 59, 59, 999999, tzinfo=TZ)


def _deadline(process, name) -> ProcessDeadline:
    return ProcessDeadline.objects.get(process=process, name=name, stopped_at__isnull=True)


def _report(process, cast, **kw):
    args = {
        "actor": cast.officer,
        "data": {"result": "已清理"},
        "attachments": [png()],
        "officers": [cast.officer, cast.officer2],
    }
    args.update(kw)
    return services.perform(process, "report", **args)


# ----- start ---------------------------------------------------------------------------


def test_start_process_by_initiator_creates_everything(cast, clock, start_drill):
    p = start_drill()
    assert p.number == "YL-2026-000001"
    assert p.state == "sent" and p.version == 1 and p.township == cast.township
    roles = {(x.body_id, x.role) for x in Party.objects.filter(process=p)}
    assert roles == {
        (cast.command_room.pk, "initiator"),
        (cast.team.pk, "assignee"),
        (cast.department.pk, "copied"),
        (cast.guidance_office.pk, "supervisor"),
    }
    assert p.record.address == "安阳街道1号"
    t = Transition.objects.get(process=p)
    assert (t.seq, t.action, t.to_state, t.actor, t.body) == (1, "start", "sent", cast.dispatcher, cast.command_room)
    entry = LedgerEntry.objects.get(seq=t.ledger_seq)
    assert entry.action == "drill.start" and entry.payload["number"] == p.number
    response = _deadline(p, "response")
    assert response.due_at == _end_of(2026, 9, 30)  # 2 working days after Mon 09-28
    assert response.explanation["due_date"] == "2026-09-30"
    assert start_drill().number == "YL-2026-000002"


def test_planned_starts_written_together_match_one_by_one(cast, clock, start_drill):
    """``write_starts`` with several plans (group commit): consecutive numbers,
    each process complete, one ledger entry each, in order, the chain intact."""
    from django.db import transaction

    from oneteam.ledger.services import verify_ledger

    first = start_drill()
    args = {"actor": cast.dispatcher, "initiator": cast.command_room, "assignees": [cast.team],
            "supervisor": cast.guidance_office, "record_fields": {"address": "安阳街道2号"}}
    plans = [services.plan_start("drill", title=f"占道经营{i}", **args) for i in range(3)]
    assert all(p.process.pk is None for p in plans) and first.number == "YL-2026-000001"
    with transaction.atomic():
        written = services.write_starts(plans)
    assert [p.number for p in written] == ["YL-2026-000002", "YL-2026-000003", "YL-2026-000004"]
    for i, p in enumerate(written):
        p = Process.objects.get(pk=p.pk)
        assert p.title == f"占道经营{i}" and p.record.address == "安阳街道2号"
        assert Party.objects.filter(process=p).count() == 3
        t = Transition.objects.get(process=p)
        entry = LedgerEntry.objects.get(seq=t.ledger_seq)
        assert entry.object_id == str(p.pk) and entry.payload["number"] == p.number
        assert entry.payload["title"] == p.title and entry.payload["record"]["address"] == "安阳街道2号"
        assert _deadline(p, "response").due_at == _end_of(2026, 9, 30)
    seqs = [Transition.objects.get(process_id=p.pk).ledger_seq for p in written]
    assert seqs == list(range(seqs[0], seqs[0] + 3))
    assert verify_ledger().ok


def test_plan_start_validates_before_anything_is_written(cast, start_drill):
    before = (Process.objects.count(), LedgerEntry.objects.count())
    with pytest.raises(NotPermitted):
        services.plan_start("drill", actor=cast.officer, initiator=cast.command_room, title="x")
    with pytest.raises(InvalidInput):
        services.plan_start("drill", actor=cast.dispatcher, initiator=cast.command_room, title="  ")
    assert (Process.objects.count(), LedgerEntry.objects.count()) == before


def test_start_process_by_other_body_not_permitted(cast, start_drill):
    with pytest.raises(NotPermitted):
        start_drill(actor=cast.officer)
    assert not Process.objects.exists()


def test_start_process_invalid_record_field_invalid_input(cast, start_drill):
    with pytest.raises(InvalidInput) as exc:
        start_drill(record_fields={"address": "x" * 101})
    assert exc.value.code == "invalid_record"
    assert not Process.objects.exists()


# ----- permission ------------------------------------------------------------------------


def test_accept_by_assignee_officer_moves_state_and_stops_response(cast, clock, start_drill):
    p = start_drill()
    clock.set(2026, 9, 30, 15, 0)
    t = services.perform(p, "accept", actor=cast.officer)
    assert p.state == "accepted" and p.version == 2
    assert (t.seq, t.from_state, t.to_state, t.body, t.counts_as) == (2, "sent", "accepted", cast.team, "response")
    assert LedgerEntry.objects.get(seq=t.ledger_seq).action == "drill.accept"
    response = ProcessDeadline.objects.get(process=p, name="response")
    assert response.stopped_at == clock.now and response.met_on_time is True
    assert _deadline(p, "handling").due_at == _end_of(2026, 10, 13)  # rules.md §0 example


@pytest.mark.parametrize("who", ["auxiliary", "admin", "dept_handler", "dispatcher", "other_officer"])
def test_accept_by_wrong_party_or_role_not_permitted(cast, start_drill, who):
    p = start_drill()
    before = LedgerEntry.objects.count()
    with pytest.raises(NotPermitted):
        services.perform(p, "accept", actor=getattr(cast, who))
    p.refresh_from_db()
    assert p.state == "sent" and p.version == 1
    assert LedgerEntry.objects.count() == before and Transition.objects.filter(process=p).count() == 1


def test_accept_from_wrong_state_invalid_state(cast, start_drill):
    p = start_drill()
    with pytest.raises(InvalidInput) as exc:
        services.perform(p, "close", actor=cast.dispatcher, data={"satisfaction": "satisfied"})
    assert exc.value.code == "invalid_state"


def test_available_actions_follow_party_and_role(cast, start_drill):
    p = start_drill()
    names = lambda u: [a.name for a in services.available_actions(p, u)]  # noqa: E731
    assert names(cast.officer) == ["accept"]
    assert names(cast.dispatcher) == ["withdraw"]
    assert names(cast.supervisor) == ["refer"]
    assert names(cast.auxiliary) == [] and names(cast.admin) == [] and names(cast.dept_handler) == []
    assert names(AnonymousUser()) == []


# ----- conflicts ---------------------------------------------------------------------------


def test_accept_twice_with_stale_object_conflict(cast, start_drill):
    p = start_drill()
    first, second = Process.objects.get(pk=p.pk), Process.objects.get(pk=p.pk)
    services.perform(first, "accept", actor=cast.officer)
    with pytest.raises(Conflict) as exc:
        services.perform(second, "accept", actor=cast.officer2)
    assert "已被他人处理" in exc.value.message and exc.value.status_code == 409
    assert Transition.objects.filter(process=p, action="accept").count() == 1
    assert LedgerEntry.objects.filter(action="drill.accept").count() == 1


def test_perform_with_stale_expected_version_conflict(cast, start_drill):
    p = start_drill()
    services.perform(p, "accept", actor=cast.officer, expected_version=1)
    with pytest.raises(Conflict):
        services.perform(p, "suspend", actor=cast.officer, reason="等待检测", expected_version=1)
    services.perform(p, "suspend", actor=cast.officer, reason="等待检测", expected_version=2)
    assert p.state == "suspended"


# ----- requirements -------------------------------------------------------------------------


def test_withdraw_without_reason_invalid_then_with_reason_closes(cast, clock, start_drill):
    p = start_drill()
    with pytest.raises(InvalidInput) as exc:
        services.perform(p, "withdraw", actor=cast.dispatcher, reason="  ")
    assert exc.value.code == "reason_required"
    services.perform(p, "withdraw", actor=cast.dispatcher, reason="重复上报")
    assert p.state == "withdrawn" and p.closed_at == clock.now
    assert Transition.objects.get(process=p, action="withdraw").reason == "重复上报"


@pytest.mark.parametrize(
    ("override", "code"),
    [
        ({"data": {}}, "fields_required"),
        ({"attachments": []}, "attachments_required"),
        ({"officers": ["officer"]}, "officers_required"),
        ({"officers": ["officer", "auxiliary"]}, "certificate_invalid"),
        ({"officers": ["officer", "other_officer"]}, "officer_not_party"),
    ],
)
def test_report_missing_requirement_invalid(cast, start_drill, override, code):
    p = start_drill()
    services.perform(p, "accept", actor=cast.officer)
    if "officers" in override:
        override = {"officers": [getattr(cast, o) for o in override["officers"]]}
    with pytest.raises(InvalidInput) as exc:
        _report(p, cast, **override)
    assert exc.value.code == code
    p.refresh_from_db()
    assert p.state == "accepted" and not Transition.objects.filter(action="report").exists()


def test_report_complete_saves_record_binds_attachment_stops_handling(cast, clock, start_drill):
    p = start_drill()
    services.perform(p, "accept", actor=cast.officer)
    clock.set(2026, 10, 9, 9, 0)
    t = _report(p, cast)
    p.refresh_from_db()
    assert p.state == "reported" and p.record.result == "已清理"
    att = Attachment.objects.get(transition=t)
    assert att.process == p and att.original_name == "photo.png" and att.blob.content_type == "image/png"
    assert [o["id"] for o in t.officers] == [cast.officer.pk, cast.officer2.pk]
    payload = LedgerEntry.objects.get(seq=t.ledger_seq).payload
    assert payload["attachments"] == [att.blob_id] and payload["record"]["result"] == "已清理"
    handling = ProcessDeadline.objects.get(process=p, name="handling")
    assert handling.met_on_time is True and handling.stopped_at == clock.now


def test_report_with_uploaded_sha_of_other_user_invalid(cast, start_drill):
    p = start_drill()
    services.perform(p, "accept", actor=cast.officer)
    att = services.do_upload(png(), actor=cast.officer2)
    with pytest.raises(InvalidInput) as exc:
        _report(p, cast, attachments=[att.blob_id])
    assert exc.value.code == "attachment_unknown"
    t = _report(p, cast, actor=cast.officer2, attachments=[att.blob_id])
    assert list(t.attachments.all()) == [att]


# ----- deadlines ---------------------------------------------------------------------------


def test_extend_twice_second_refused(cast, clock, start_drill):
    p = start_drill()
    clock.set(2026, 9, 30, 15, 0)
    services.perform(p, "accept", actor=cast.officer)
    with pytest.raises(InvalidInput) as exc:
        services.perform(p, "extend", actor=cast.officer)
    assert exc.value.code == "reason_required"
    services.perform(p, "extend", actor=cast.officer, reason="案情复杂")
    handling = _deadline(p, "handling")
    assert handling.due_at == _end_of(2026, 10, 20) and handling.extension_count == 1
    assert handling.explanation["extensions"][0]["reason"] == "案情复杂"
    with pytest.raises(InvalidInput) as exc:
        services.perform(p, "extend", actor=cast.officer, reason="再延")
    assert exc.value.code == "extension_limit" and "不能再次延期" in exc.value.message


def test_suspend_then_resume_recomputes_due(cast, clock, start_drill):
    p = start_drill()
    clock.set(2026, 9, 30, 15, 0)
    services.perform(p, "accept", actor=cast.officer)
    clock.set(2026, 10, 9, 10, 0)
    services.perform(p, "suspend", actor=cast.officer, reason="送检")
    handling = _deadline(p, "handling")
    assert handling.paused_since == clock.now and handling.pause_reason == "送检"
    clock.set(2026, 10, 14, 10, 0)
    services.perform(p, "resume", actor=cast.officer)
    handling.refresh_from_db()
    assert handling.paused_since is None and len(handling.pauses) == 1
    # 10-08 counted; 10-09…10-14 touched by the pause; then 10-15, 16, 19, 20.
    assert handling.due_at == _end_of(2026, 10, 20)
    assert handling.explanation["pauses"][0]["reason"] == "送检"


def test_report_late_marks_handling_missed(cast, clock, start_drill):
    p = start_drill()
    clock.set(2026, 9, 30, 15, 0)
    services.perform(p, "accept", actor=cast.officer)
    clock.set(2026, 10, 14, 9, 0)
    _report(p, cast)
    assert ProcessDeadline.objects.get(process=p, name="handling").met_on_time is False


def test_rework_restarts_handling_and_keeps_history(cast, clock, start_drill):
    p = start_drill()
    services.perform(p, "accept", actor=cast.officer)
    _report(p, cast)
    clock.set(2026, 9, 29, 10, 0)
    services.perform(p, "rework", actor=cast.dispatcher, reason="照片不清晰")
    rows = list(ProcessDeadline.objects.filter(process=p, name="handling").order_by("pk"))
    assert len(rows) == 2 and rows[0].met_on_time is True
    assert rows[1].stopped_at is None and rows[1].period_amount == 3
    assert rows[1].due_at == _end_of(2026, 10, 9)  # 09-30, 10-08, 10-09
    assert p.state == "accepted"


def test_refer_by_supervisor_handler_replaces_assignees(cast, start_drill):
    p = start_drill()
    services.perform(p, "accept", actor=cast.officer)
    with pytest.raises(InvalidInput):
        services.perform(p, "refer", actor=cast.supervisor, data={"body_id": 999999})
    t = services.perform(p, "refer", actor=cast.supervisor, data={"body_id": cast.department.pk})
    assert p.state == "sent" and p.record.referred_to == cast.department.name
    assert set(Party.objects.filter(process=p, role="assignee", active=True).values_list("body", flat=True)) == {
        cast.department.pk
    }
    assert LedgerEntry.objects.get(seq=t.ledger_seq).payload["parties"][0]["op"] in {"add", "remove"}
    with pytest.raises(NotPermitted):
        services.perform(p, "accept", actor=cast.officer)
    assert Process.objects.visible_to(cast.officer).filter(pk=p.pk).exists()  # history stays visible
    services.perform(p, "accept", actor=cast.dept_handler)


def test_close_requires_satisfaction_and_stores_it(cast, start_drill):
    p = start_drill()
    services.perform(p, "accept", actor=cast.officer)
    _report(p, cast)
    with pytest.raises(InvalidInput) as exc:
        services.perform(p, "close", actor=cast.dispatcher, data={"satisfaction": "great"})
    assert exc.value.code == "satisfaction_required"
    services.perform(p, "close", actor=cast.dispatcher, data={"satisfaction": "very_satisfied"})
    assert p.satisfaction == "very_satisfied" and p.is_closed


# ----- access ------------------------------------------------------------------------------


def test_visible_to_follows_parties_and_township(cast, start_drill):
    p = start_drill()
    township_gov = make_user(make_body(BodyKind.TOWNSHIP_GOVERNMENT, township=cast.township), Role.BODY_HEAD)
    police = make_user(make_body(BodyKind.POLICE), Role.BODY_HEAD)
    sees = {
        "dispatcher": True,
        "officer": True,
        "grid_officer": True,
        "dept_handler": True,
        "supervisor": True,
        "admin": True,
        "centre_dispatcher": True,
        "other_dispatcher": False,
        "other_officer": False,
    }
    for who, expected in sees.items():
        assert Process.objects.visible_to(getattr(cast, who)).filter(pk=p.pk).exists() is expected, who
    assert Process.objects.visible_to(township_gov).filter(pk=p.pk).exists()
    assert not Process.objects.visible_to(police).filter(pk=p.pk).exists()
    assert not Process.objects.visible_to(AnonymousUser()).exists()


def test_visible_to_reaches_past_the_township_through_parties(cast, start_drill):
    """``for_scope``'s two halves: the user's township, and processes anywhere
    else (another township, none) that their body or a body under it takes
    part in. Lists, counts and single rows agree."""
    from oneteam.workflow import selectors

    here = start_drill()
    # 乙镇's room asks 甲镇's team: a process of 乙镇 with 甲镇's team a party.
    there = start_drill(actor=cast.other_dispatcher, initiator=cast.other_command_room, assignees=[cast.team],
                        copied=[], township=cast.other_township)
    # The centre sends a city-level drill (no township) to the department's team stationed in 乙镇.
    dept_team = make_body(BodyKind.DISPATCHED_TEAM, name="市场监管派驻乙镇执法队", parent=cast.department,
                          township=cast.other_township)
    citywide = start_drill(actor=cast.centre_dispatcher, initiator=cast.command_centre, assignees=[dept_team],
                           copied=[], township=None)
    unrelated = start_drill(actor=cast.other_dispatcher, initiator=cast.other_command_room,
                            assignees=[cast.other_team], copied=[], township=cast.other_township)
    expected = {
        "dispatcher": {here},  # 甲镇 only: the team's request from 乙镇 is the team's, not the room's
        "officer": {here, there},
        "other_dispatcher": {there, unrelated},
        "dept_handler": {here, citywide},  # copied on 甲镇's drill; its team on the city-level one
        "centre_dispatcher": {here, there, citywide, unrelated},
    }
    for who, rows in expected.items():
        user = getattr(cast, who)
        visible = Process.objects.visible_to(user)
        assert set(visible) == rows, who
        assert visible.count() == len(rows), who
        assert set(selectors.processes_of(user, "drill")) == rows, who
        for p in (here, there, citywide, unrelated):
            assert visible.filter(pk=p.pk).exists() is (p in rows), (who, p.pk)

# ----- comments, uploads, notifications --------------------------------------------------------


def test_comment_by_copied_body_recorded(cast, start_drill):
    p = start_drill()
    c = services.do_comment(p, actor=cast.dept_handler, text="请注意食品安全")
    assert c.body_name == cast.department.name
    assert LedgerEntry.objects.filter(action="drill.comment", object_id=str(p.pk)).count() == 1
    with pytest.raises(NotPermitted):
        services.do_comment(p, actor=cast.other_dispatcher, text="x")


def test_upload_same_content_twice_one_blob(cast, settings):
    a = services.do_upload(png("a.png"), actor=cast.officer)
    b = services.do_upload(png("b.png"), actor=cast.officer2)
    assert a.blob_id == b.blob_id and Blob.objects.count() == 1 and a.original_name == "a.png"
    assert a.blob.path.read_bytes().startswith(b"\x89PNG")
    assert a.blob.path.relative_to(settings.MEDIA_ROOT).parts[:3] == ("blobs", a.blob_id[:2], a.blob_id[2:4])
    entries = LedgerEntry.objects.filter(action="workflow.upload")
    assert [e.payload["sha256"] for e in entries] == [a.blob_id, a.blob_id]


def test_upload_wrong_type_or_too_large_refused(cast, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(InvalidInput) as exc:
        services.do_upload(SimpleUploadedFile("x.png", b"just text", content_type="image/png"), actor=cast.officer)
    assert exc.value.code == "file_type_not_allowed"
    settings.ONETEAM = {**settings.ONETEAM, "UPLOAD_MAX_BYTES": 50}
    with pytest.raises(InvalidInput) as exc:
        services.do_upload(png(), actor=cast.officer)
    assert exc.value.code == "file_too_large"
    assert not Attachment.objects.exists()


def test_accept_notifies_other_party_users_after_commit(cast, start_drill, django_capture_on_commit_callbacks):
    from oneteam.workflow.models import Notification

    p = start_drill()
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        services.perform(p, "accept", actor=cast.officer)
    users = set(Notification.objects.values_list("user__username", flat=True))
    assert "officer" not in users
    assert {"officer2", "aux", "dispatcher", "gridder", "dept", "supervisor"} <= users
    assert "other_dispatcher" not in users
    n = Notification.objects.filter(user=cast.dispatcher).get()
    assert p.number in n.text and "签收" in n.text and n.verb == "drill.accept"


@pytest.mark.parametrize("own_first", [5000, 0])
def test_inbox_to_do_is_the_same_list_read_from_the_readers_own_parties(cast, start_drill, monkeypatch, own_first):
    """The to-do read from the reader's body's active parties (when they are
    few) or from the access filter alone lists the same processes; the
    reader's parties lead the query only when they are few."""
    from oneteam.workflow import selectors

    monkeypatch.setattr(selectors, "FEW", own_first)
    mine = [start_drill() for _ in range(3)]
    elsewhere = start_drill(actor=cast.other_dispatcher, initiator=cast.other_command_room,
                            assignees=[cast.other_team], copied=[])
    services.perform(mine[2], "accept", actor=cast.officer)  # still the team's to do
    services.perform(mine[1], "withdraw", actor=cast.dispatcher, reason="重复派发")  # closed: not to do
    todo = selectors.inbox(cast.officer, "todo")
    assert sorted(todo.values_list("pk", flat=True)) == sorted([mine[0].pk, mine[2].pk])
    assert list(selectors.inbox(cast.other_dispatcher, "todo").values_list("pk", flat=True)) == [elsewhere.pk]
    assert selectors.inbox(cast.dispatcher, "todo").filter(pk=elsewhere.pk).count() == 0
    where = str(todo.query).split(" WHERE ", 1)[1]
    # The first subquery of the condition: the team's own active parties, or the access filter's.
    leads_with_own = '."active"' in where.split(" AND ", 1)[0]
    assert leads_with_own is (bool(own_first) and connection.vendor == "sqlite"), where[:300]


@pytest.mark.parametrize("own_first", [5000, 0])
def test_inbox_to_do_is_every_open_process_the_reader_can_act_on(cast, start_drill, monkeypatch, own_first):
    """The to-do's one SQL condition (``actionable_q``) lists exactly the
    open processes on which ``can_act`` allows the reader at least one action,
    for every member of the cast: processes in every state, each party role's
    actions (assignee, initiator, supervisor), a party no longer active, a
    department as the assignee, another township's process; read from the
    reader's own parties first or not."""
    from oneteam.org.models import User
    from oneteam.workflow import selectors
    from oneteam.workflow.declare import get_flow

    monkeypatch.setattr(selectors, "FEW", own_first)
    sent = start_drill()
    accepted, suspended, reported, closed, withdrawn, referred = (start_drill() for _ in range(6))
    for p in (accepted, suspended, reported, closed, referred):
        services.perform(p, "accept", actor=cast.officer)
    services.perform(suspended, "suspend", actor=cast.officer, reason="等待检测")
    for p in (reported, closed):
        _report(p, cast)
    services.perform(closed, "close", actor=cast.dispatcher, data={"satisfaction": "satisfied"})
    services.perform(withdrawn, "withdraw", actor=cast.dispatcher, reason="重复派发")
    services.perform(referred, "refer", actor=cast.supervisor, data={"body_id": cast.department.pk})
    to_department = start_drill(assignees=[cast.department], copied=[])
    elsewhere = start_drill(actor=cast.other_dispatcher, initiator=cast.other_command_room,
                            assignees=[cast.other_team], copied=[], supervisor=None)
    flow = get_flow("drill")
    users = [u for u in vars(cast).values() if isinstance(u, User)]
    for user in users:
        expected = {p.pk for p in Process.objects.visible_to(user).open()
                    if any(services.can_act(p, action, user) for action in flow.actions)}
        assert set(selectors.inbox(user, "todo").values_list("pk", flat=True)) == expected, user.username
    # The cases are there to be told apart: each list below is some reader's to-do.
    todo = {u.username: set(selectors.inbox(u, "todo").values_list("pk", flat=True)) for u in users}
    assert todo["officer"] == todo["officer2"] == {sent.pk, accepted.pk, suspended.pk}
    assert todo["aux"] == {accepted.pk, suspended.pk}  # accepting needs an officer's role, suspending none
    # The room withdraws what is still sent (referred is sent again) and closes or reworks what is reported.
    assert todo["dispatcher"] == todo["gridder"] == {sent.pk, referred.pk, to_department.pk, reported.pk}
    assert todo["supervisor"] == {sent.pk, accepted.pk, referred.pk, to_department.pk}
    assert todo["dept"] == {referred.pk, to_department.pk}
    assert todo["other_officer"] == todo["other_dispatcher"] == {elsewhere.pk}
    assert todo["centre"] == todo["admin_t"] == set()


def test_to_do_leaves_out_the_roles_a_body_takes_nowhere(cast, start_drill):
    """A party role in which the reader's body is an active party of no
    process adds no term to the to-do's condition (``_roles_taken``): its
    test of every candidate process could find nothing. A body with no
    active party at all gets an empty to-do without a query of processes."""
    from oneteam.workflow import selectors

    roles = [PartyRole.ASSIGNEE, PartyRole.INITIATOR, PartyRole.SUPERVISOR, PartyRole.COPIED]
    p = start_drill(assignees=[cast.department], copied=[])
    assert selectors._roles_taken(cast.command_room.pk, roles) == {PartyRole.INITIATOR}
    assert selectors._roles_taken(cast.department.pk, roles) == {PartyRole.ASSIGNEE}
    assert selectors._roles_taken(cast.command_centre.pk, roles) == set()
    params = selectors.inbox(cast.dispatcher, "todo").query.sql_with_params()[1]
    assert PartyRole.INITIATOR in params and PartyRole.ASSIGNEE not in params and PartyRole.SUPERVISOR not in params
    assert [x.pk for x in selectors.inbox(cast.dispatcher, "todo")] == [p.pk]  # to withdraw
    services.perform(p, "refer", actor=cast.supervisor, data={"body_id": cast.team.pk})
    assert selectors._roles_taken(cast.department.pk, roles) == set()  # its party is no longer active
    selectors.inbox(cast.dept_handler, "todo")  # the user's roles and scope, read once
    with CaptureQueriesContext(connection) as read:
        assert list(selectors.inbox(cast.dept_handler, "todo")) == []
    assert not [q for q in read.captured_queries if "workflow_process" in q["sql"]]  # no process is tested
    start_drill(assignees=[cast.command_room], copied=[])  # the room is an assignee now: its term is back
    assert PartyRole.ASSIGNEE in selectors.inbox(cast.dispatcher, "todo").query.sql_with_params()[1]


@pytest.mark.parametrize("few", [5000, 0])
def test_a_rare_kind_is_the_same_list_read_from_its_own_rows(cast, start_drill, monkeypatch, few):
    """A flow's list of a kind with few processes is read from that kind's
    rows first (``visible_of_kind``), still within the reader's access: the
    same processes either way, never another township's."""
    from oneteam.workflow import selectors

    monkeypatch.setattr(selectors, "FEW", few)
    mine = [start_drill() for _ in range(2)]
    elsewhere = start_drill(actor=cast.other_dispatcher, initiator=cast.other_command_room,
                            assignees=[cast.other_team], copied=[])
    listed = selectors.processes_of(cast.officer, "drill")
    assert list(listed.values_list("pk", flat=True)) == [mine[1].pk, mine[0].pk]
    assert list(selectors.processes_of(cast.other_dispatcher, "drill").values_list("pk", flat=True)) == [elsewhere.pk]
    assert selectors.visible_of_kind(cast.admin, "drill").count() == 3
    first = str(listed.query).split(" WHERE ", 1)[1].split(" AND ", 1)[0]
    assert ("SELECT U0.\"id\"" in first) is (bool(few) and connection.vendor == "sqlite"), first


def test_keys_for_scope_are_the_visible_processes(cast, start_drill):
    """The keys that leads and attachments follow are the processes the
    reader can see; for a body without a township they are the party set
    itself, without a lookup in the process table."""
    from oneteam.core.access import scope_for

    start_drill()  # the department is copied
    start_drill(actor=cast.other_dispatcher, initiator=cast.other_command_room, assignees=[cast.other_team],
                copied=[])
    for user in (cast.dept_handler, cast.dispatcher, cast.other_dispatcher, cast.officer):
        keys = Process.objects.keys_for_scope(scope_for(user))
        assert sorted(Process.objects.filter(pk__in=keys).values_list("pk", flat=True)) == sorted(
            Process.objects.visible_to(user).values_list("pk", flat=True)), user.username
    assert Process.objects.filter(pk__in=Process.objects.keys_for_scope(scope_for(cast.dept_handler))).count() == 1
    assert "workflow_process" not in str(Process.objects.keys_for_scope(scope_for(cast.dept_handler)).query)
