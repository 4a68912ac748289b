import pytest

from oneteam.catalog import services
from oneteam.catalog.choices import DecisionKind
from oneteam.catalog.flows import FLOW
from oneteam.catalog.models import EmpowermentDecision, EmpowermentRequest
from oneteam.catalog.resolver import who_handles
from oneteam.catalog.selectors import power_list
from oneteam.catalog.tests.conftest import D
from oneteam.core.errors import InvalidInput, NotPermitted
from oneteam.ledger.models import LedgerEntry
from oneteam.org.choices import EnforcementMode
from oneteam.org.models import ModeDecision
from oneteam.workflow.services import available_actions, perform

pytestmark = pytest.mark.django_db


def test_flow_declaration_every_state_reachable_and_has_way_out():
    assert FLOW.problems() == []


def _propose(world, matters=None, **kw):
    return services.do_propose_empowerment(world.empowered, matters or [world.matter_a, world.matter_b],
                                           actor=world.proposer, **kw)


def _to_published(world, process, *, staffing_first=False, no="瑞政发〔2025〕1号", day="2025-03-01"):
    if staffing_first:
        perform(process, "staffing_review", actor=world.staffer)
        perform(process, "guidance_review_last", actor=world.reviewer)
    else:
        perform(process, "guidance_review", actor=world.reviewer)
        perform(process, "staffing_review_last", actor=world.staffer)
    assert process.state == "reviewed"
    perform(process, "approve", actor=world.mayor, data={"decision_no": no, "effective_from": day})
    perform(process, "publish", actor=world.reviewer)
    return process


@pytest.mark.parametrize("staffing_first", [False, True])
def test_empowerment_flow_end_to_end_publishes_decision_and_power_list(world, staffing_first):
    process = _propose(world)
    _to_published(world, process, staffing_first=staffing_first)
    assert process.state == "published"
    record = EmpowermentRequest.objects.get(process=process)
    assert record.decision.decision_no == "瑞政发〔2025〕1号"
    assert [i.entry.matter.code for i in power_list(world.empowered, D(2025, 3, 1))] == [
        world.matter_a.code, world.matter_b.code]
    assert power_list(world.empowered, D(2025, 2, 28)) == []
    assert who_handles(world.matter_a, township=world.empowered, on=D(2025, 3, 1)).body == world.cast.team


def test_empowerment_flow_each_step_recorded_in_ledger(world):
    process = _propose(world)
    _to_published(world, process)
    actions = list(LedgerEntry.objects.filter(object_type="workflow.process", object_id=str(process.pk))
                   .values_list("action", flat=True))
    assert actions == ["empowerment.start", "empowerment.guidance_review", "empowerment.staffing_review_last",
                       "empowerment.approve", "empowerment.publish"]
    decision = EmpowermentDecision.objects.get()
    assert LedgerEntry.objects.filter(action="catalog.empowerment_granted", object_id=str(decision.pk)).exists()


def test_empowerment_flow_dispatched_township_upgraded_with_linked_mode_decision(world):
    proposer = world.cast.other_dispatcher
    process = services.do_propose_empowerment(world.dispatched, [world.matter_a], actor=proposer)
    assert EmpowermentRequest.objects.get(process=process).upgrade_mode
    _to_published(world, process, no="瑞政发〔2025〕9号", day="2025-05-01")
    decision = EmpowermentDecision.objects.get()
    assert decision.mode_decision.mode == EnforcementMode.EMPOWERED
    assert decision.mode_decision.effective_from == D(2025, 5, 1)
    assert world.dispatched.mode_on(D(2025, 5, 1)).mode == EnforcementMode.EMPOWERED
    assert world.dispatched.mode_on(D(2025, 4, 30)).mode == EnforcementMode.DISPATCHED
    assert ModeDecision.objects.filter(township=world.dispatched).count() == 2


def test_empowerment_withdrawal_flow_closes_empowerment(world):
    _to_published(world, _propose(world))
    process = services.do_propose_empowerment(world.empowered, [world.matter_b], actor=world.proposer,
                                              kind=DecisionKind.WITHDRAW)
    _to_published(world, process, no="瑞政发〔2026〕2号", day="2026-01-01")
    codes = [i.entry.matter.code for i in power_list(world.empowered, D(2026, 1, 1))]
    assert codes == [world.matter_a.code]


def test_empowerment_reject_without_reason_refused_with_reason_closes(world):
    process = _propose(world)
    with pytest.raises(InvalidInput):
        perform(process, "reject", actor=world.staffer)
    perform(process, "reject", actor=world.staffer, reason="与编制方案不符")
    assert process.state == "rejected"
    assert process.transitions.last().reason == "与编制方案不符"
    assert not EmpowermentDecision.objects.exists()


def test_empowerment_approve_wrong_party_not_permitted(world):
    process = _propose(world)
    perform(process, "guidance_review", actor=world.reviewer)
    perform(process, "staffing_review_last", actor=world.staffer)
    with pytest.raises(NotPermitted):
        perform(process, "approve", actor=world.reviewer, data={"decision_no": "x", "effective_from": "2025-01-01"})
    assert [a.name for a in available_actions(process, world.mayor)] == ["approve", "reject"]


def test_empowerment_approve_without_decision_no_refused(world):
    process = _propose(world)
    perform(process, "guidance_review", actor=world.reviewer)
    perform(process, "staffing_review_last", actor=world.staffer)
    with pytest.raises(InvalidInput) as exc:
        perform(process, "approve", actor=world.mayor, data={"effective_from": "2025-01-01"})
    assert exc.value.code == "fields_required"


def test_propose_matter_not_suited_to_townships_refused(world):
    with pytest.raises(InvalidInput) as exc:
        _propose(world, matters=[world.matter_unified])
    assert exc.value.code == "matter_not_selectable"


def test_propose_for_hub_served_township_refused(world):
    with pytest.raises(InvalidInput) as exc:
        services.do_propose_empowerment(world.served, [world.matter_a], actor=world.cast.admin,
                                        initiator=world.served_team)
    assert exc.value.code == "hub_served_township"


def test_propose_for_other_township_not_permitted(world):
    with pytest.raises(NotPermitted):
        services.do_propose_empowerment(world.dispatched, [world.matter_a], actor=world.proposer)


def test_propose_cancel_by_initiator_needs_reason(world):
    process = _propose(world)
    perform(process, "cancel", actor=world.proposer, reason="重新研究")
    assert process.state == "cancelled"


def test_empowerment_requests_visible_to_their_township_and_citywide_bodies_only(world):
    """A township's request is listed for its own staff and for citywide
    bodies (no filter at all for those who see everything), never for
    another township's staff."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    process = _propose(world)
    mine = EmpowermentRequest.objects.visible_to(world.cast.dispatcher)
    assert list(mine.values_list("process_id", flat=True)) == [process.pk]
    assert not EmpowermentRequest.objects.visible_to(world.cast.other_dispatcher).exists()
    assert list(EmpowermentRequest.objects.visible_to(world.reviewer).values_list("pk", flat=True)) == [process.pk]
    with CaptureQueriesContext(connection) as everything:
        assert list(EmpowermentRequest.objects.visible_to(world.cast.admin).values_list("pk", flat=True)) == [
            process.pk]
    assert "workflow_process" not in everything.captured_queries[-1]["sql"]
