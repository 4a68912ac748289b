"""Joint enforcement: plan, launch, accept parts, share, results, conclude."""

from __future__ import annotations

import datetime as dt

import pytest

from oneteam.core.errors import InvalidInput, NotPermitted
from oneteam.ledger.models import LedgerEntry
from oneteam.linkage import services
from oneteam.linkage.flows import ALL_FLOWS
from oneteam.linkage.services import Participant
from oneteam.workflow import services as kernel

pytestmark = pytest.mark.django_db


def _plan(cast, actor=None, lead=None, launch=True):
    return services.do_plan_joint_operation(
        actor=actor or cast.dept_handler, title="校园周边食品安全联合执法", targets="甲镇中小学周边餐饮店",
        place="甲镇", starts_on=dt.date(2026, 3, 10), ends_on=dt.date(2026, 3, 12), plan="分三组开展检查",
        participants=[Participant(cast.department, "食品经营许可与安全检查", 4),
                      Participant(cast.team, "占道经营、油烟扰民查处", 6)],
        lead_body=lead, launch=launch)


@pytest.mark.parametrize("flow", ALL_FLOWS, ids=lambda f: f.kind)
def test_flow_declarations_sound(flow):
    assert flow.problems() == []


def test_plan_one_participant_refused(cast):
    with pytest.raises(InvalidInput):
        services.do_plan_joint_operation(actor=cast.dept_handler, title="t", targets="x", place="p",
                                         starts_on=dt.date(2026, 3, 1), ends_on=dt.date(2026, 3, 1), plan="p",
                                         participants=[Participant(cast.department, "d")])


def test_plan_by_command_room_dispatcher_allowed_by_police_refused(cast):
    _plan(cast, actor=cast.dispatcher, launch=False)
    from oneteam.core.testing import make_body, make_user
    from oneteam.org.choices import BodyKind

    cop = make_user(make_body(BodyKind.POLICE), username="cop")
    with pytest.raises(NotPermitted):
        _plan(cast, actor=cop)


def test_guidance_proposal_needs_lead_among_participants(cast):
    with pytest.raises(InvalidInput):
        _plan(cast, actor=cast.supervisor)
    p = _plan(cast, actor=cast.supervisor, lead=cast.team)
    assert p.record.proposed_by_guidance and p.record.lead_body == cast.team
    assert set(p.parties.filter(role="assignee").values_list("body_id", flat=True)) == {cast.department.pk,
                                                                                           cast.team.pk}


def test_joint_operation_end_to_end(cast):
    p = _plan(cast, actor=cast.supervisor, lead=cast.team)
    assert p.state == "launched"
    with pytest.raises(InvalidInput):
        kernel.perform(p, "report_result", actor=cast.officer, data={"result": "x"})
    kernel.perform(p, "accept_part", actor=cast.officer)
    with pytest.raises(InvalidInput):
        kernel.perform(p, "accept_part", actor=cast.officer2)
    kernel.perform(p, "accept_part", actor=cast.dept_handler)
    kernel.perform(p, "share", actor=cast.dept_handler, reason="某店无证经营线索")
    kernel.perform(p, "report_result", actor=cast.officer, data={"result": "查处占道3起"})
    with pytest.raises(InvalidInput) as exc:
        kernel.perform(p, "conclude", actor=cast.supervisor, data={"summary": "完成"})
    assert exc.value.code == "results_missing"
    kernel.perform(p, "report_result", actor=cast.dept_handler, data={"result": "检查12家，立案1起"})
    kernel.perform(p, "conclude", actor=cast.supervisor, data={"summary": "完成"})
    assert p.state == "concluded" and p.record.summary == "完成"
    assert all(t.result for t in p.record.tasks.all())
    assert LedgerEntry.objects.filter(object_id=str(p.pk), action="joint_operation.report_result").count() == 2


def test_non_participant_cannot_accept(cast):
    p = _plan(cast)
    with pytest.raises(NotPermitted):
        kernel.perform(p, "accept_part", actor=cast.other_officer)
