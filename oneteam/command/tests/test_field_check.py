"""Field check before closing (现场核查): the dispatcher asks the lead's
village grid officers to check on the spot; one of them answers with photos
and a verdict; the lead is closed or sent back for rework after that."""

import pytest

from oneteam.command import services
from oneteam.command.services import Intake
from oneteam.core.errors import InvalidInput, NotPermitted
from oneteam.core.testing import make_body, make_user, make_village
from oneteam.org.choices import BodyKind, Role
from oneteam.workflow.declare import PartyRole
from oneteam.workflow.models import Notification, Process
from oneteam.workflow.selectors import inbox
from oneteam.workflow.services import available_actions, perform

from .test_loop import photo

pytestmark = pytest.mark.django_db

DONE = {"conditions": ["摊点已撤离"]}


def _reported_back(world, actor=None, **kw):
    """A lead in 东村 handled by the team and reported back, filed by ``actor`` (the dispatcher by default)."""
    intake = Intake(channel="hotline", category="ZDJY", description="东村菜场门口占道摆摊",
                    lng=kw.pop("lng", 120.61), lat=kw.pop("lat", 27.71), **kw)
    event = services.report_event(intake, actor=actor or world.dispatcher).event
    p = event.process
    perform(p, "file", actor=world.dispatcher, data={"conditions": ["存在摆摊设点经营行为"]})
    perform(p, "dispatch", actor=world.dispatcher, data={"body": world.team.pk})
    perform(p, "accept", actor=world.officer)
    perform(p, "report_back", actor=world.officer, data={"result": "已劝离摊贩"}, attachments=[photo()])
    return event


def _names(process, user):
    """What ``user``'s page offers on a fresh read of ``process``."""
    return [a.name for a in available_actions(Process.objects.get(pk=process.pk), user)]


def _answer(world, event, verdict="passed", user=None):
    perform(event.process, "report_check", actor=user or world.gridder,
            data={"check_verdict": verdict, "check_note": "摊点已撤离，路面已清扫"}, attachments=[photo("check.png")])
    event.refresh_from_db()


def test_check_asked_of_the_village_answered_then_closed(world):
    event = _reported_back(world)
    p = event.process
    assert event.village_id == world.village.pk
    assert "request_check" in _names(p, world.dispatcher)
    assert _names(p, world.gridder) == []  # the village is no party yet
    with pytest.raises(NotPermitted):
        _answer(world, event)  # nothing asked: no checker party
    perform(p, "request_check", actor=world.dispatcher)
    event.refresh_from_db()
    assert event.check_pending and event.check_requested_at is not None
    assert p.parties.filter(body=world.committee, role=PartyRole.CHECKER, active=True).exists()
    assert _names(p, world.gridder) == ["report_check"]
    assert p.pk in {x.pk for x in inbox(world.gridder, "todo")}  # the kernel's inbox lists the task
    assert Notification.objects.filter(user=world.gridder, process=p).exists()
    assert "request_check" not in _names(p, world.dispatcher)  # one check at a time
    with pytest.raises(InvalidInput) as exc:
        perform(p, "request_check", actor=world.dispatcher)
    assert exc.value.code == "check_pending"
    with pytest.raises(InvalidInput) as exc:
        perform(p, "close", actor=world.dispatcher, data=DONE)
    assert exc.value.code == "check_pending"
    _answer(world, event)
    assert not event.check_pending and event.check_passed is True and event.checked_at is not None
    assert _names(p, world.gridder) == []
    # The checker's part is over; its body keeps read access to the lead.
    assert not p.parties.filter(role=PartyRole.CHECKER, active=True).exists()
    assert p.pk not in {x.pk for x in inbox(world.gridder, "todo")}
    assert Process.objects.visible_to(world.gridder).filter(pk=p.pk).exists()
    check = p.transitions.get(action="report_check")
    assert check.data["check_note"] == "摊点已撤离，路面已清扫" and check.attachments.count() == 1
    assert event.result == "已劝离摊贩"  # the handling result is not overwritten
    perform(p, "close", actor=world.dispatcher, data=DONE)
    p.refresh_from_db()
    assert p.state == "closed"
    assert list(p.transitions.values_list("action", flat=True))[-3:] == ["request_check", "report_check", "close"]


def test_answer_needs_a_photo_and_a_verdict(world):
    event = _reported_back(world)
    perform(event.process, "request_check", actor=world.dispatcher)
    with pytest.raises(InvalidInput):
        perform(event.process, "report_check", actor=world.gridder,
                data={"check_verdict": "passed", "check_note": "已核实"})
    with pytest.raises(InvalidInput) as exc:
        _answer(world, event, verdict="maybe")
    assert exc.value.code == "bad_check_verdict"
    event.refresh_from_db()
    assert event.check_pending and event.process.transitions.filter(action="report_check").count() == 0


def test_failed_check_then_rework_and_a_new_check(world):
    event = _reported_back(world)
    p = event.process
    perform(p, "request_check", actor=world.dispatcher)
    _answer(world, event, verdict="failed")
    assert event.check_passed is False
    perform(p, "rework", actor=world.dispatcher, reason="核查不通过：仍有摊点")
    event.refresh_from_db()
    assert (event.check_requested_at, event.checked_at, event.check_passed) == (None, None, None)
    assert p.transitions.filter(action="report_check").count() == 1  # the answer stays in the timeline
    perform(p, "report_back", actor=world.officer, data={"result": "已再次清理"}, attachments=[photo()])
    assert "request_check" in _names(p, world.dispatcher)
    perform(p, "request_check", actor=world.dispatcher)
    event.refresh_from_db()
    assert event.check_pending and event.check_passed is None


def test_rework_withdraws_an_unanswered_check(world):
    event = _reported_back(world)
    p = event.process
    perform(p, "request_check", actor=world.dispatcher)
    perform(p, "rework", actor=world.dispatcher, reason="承办单位主动要求返工")
    event.refresh_from_db()
    assert not event.check_pending
    assert not p.parties.filter(role=PartyRole.CHECKER, active=True).exists()
    assert _names(p, world.gridder) == []
    perform(p, "report_back", actor=world.officer, data={"result": "已再次清理"}, attachments=[photo()])
    perform(p, "close", actor=world.dispatcher, data=DONE)  # no check asked this time
    p.refresh_from_db()
    assert p.state == "closed"


def test_only_the_village_asked_answers(world):
    west = make_village(world.township, "西庄")
    committee = make_body(BodyKind.VILLAGE_COMMITTEE, township=world.township, name="甲镇西庄", village=west)
    neighbour = make_user(committee, Role.GRID_OFFICER, username="west_gridder")
    event = _reported_back(world, actor=neighbour)  # reported by the neighbour village: copied, not asked
    p = event.process
    perform(p, "request_check", actor=world.dispatcher)
    assert p.parties.filter(body=committee, role=PartyRole.COPIED, active=True).exists()
    # Copied as the reporter, the neighbour is offered nothing and has nothing to do.
    assert _names(p, neighbour) == []
    assert p.pk not in {x.pk for x in inbox(neighbour, "todo")}
    with pytest.raises(NotPermitted):
        _answer(world, event, user=neighbour)
    other = make_user(make_body(BodyKind.VILLAGE_COMMITTEE, township=world.other_township, name="乙镇村",
                                village=make_village(world.other_township, "乙村")), Role.GRID_OFFICER)
    with pytest.raises(NotPermitted):
        _answer(world, event, user=other)
    event.refresh_from_db()
    assert event.check_pending


def test_no_check_for_a_lead_outside_any_village(world):
    event = _reported_back(world, lng=None, lat=None, address="甲镇某路口", township=world.township.code)
    assert event.village_id is None
    assert "request_check" not in _names(event.process, world.dispatcher)
    with pytest.raises(InvalidInput) as exc:
        perform(event.process, "request_check", actor=world.dispatcher)
    assert exc.value.code == "no_village"


def test_grid_officer_sees_the_checks_of_the_village_and_the_room_marks_them(client, world):
    event = _reported_back(world)
    client.force_login(world.gridder)
    assert event.process.number not in client.get("/command/patrol/").content.decode()
    perform(event.process, "request_check", actor=world.dispatcher)
    page = client.get("/command/patrol/").content.decode()
    assert "待我现场核查" in page and event.process.number in page
    client.force_login(world.dispatcher)
    assert "现场核查中" in client.get("/command/?bucket=to_verify").content.decode()
    _answer(world, event, verdict="failed")
    assert "核查不通过" in client.get("/command/?bucket=to_verify").content.decode()
    client.force_login(world.gridder)
    assert event.process.number not in client.get("/command/patrol/").content.decode()
