"""Criminal referral (国务院令第310号): team and materials, every deadline,
police decisions, reconsideration and supervision, no substitution of a
penalty for a referral, the procuratorate's read-only oversight."""

from __future__ import annotations

import datetime as dt

import pytest

from oneteam.core.errors import InvalidInput, NotPermitted
from oneteam.ledger.models import LedgerEntry
from oneteam.linkage import services
from oneteam.linkage.choices import MaterialKind
from oneteam.linkage.flows import REFERRAL_FLOW
from oneteam.workflow import services as kernel
from oneteam.workflow.models import ProcessDeadline

from .conftest import TZ, png

pytestmark = pytest.mark.django_db


def _new(lc, case="甲镇执罚〔2026〕1号"):
    return services.do_create_referral(actor=lc.base.officer, case_number=case, suspect="某食品公司",
                                       suspected_offence="生产、销售伪劣产品罪", facts="货值金额逾二十万元")


def _add_all(lc, p, kinds=MaterialKind.values):
    for i, kind in enumerate(kinds):
        services.do_add_material(p, actor=lc.base.officer, kind=kind, file=png(f"{kind}.png", bytes([i])))


def _submit(lc, p):
    return kernel.perform(p, "submit_report", actor=lc.base.officer, data={"report_summary": "建议移送"},
                          officers=[lc.base.officer, lc.base.officer2])


def _deadline(p, name):
    return ProcessDeadline.objects.filter(process=p, name=name).order_by("-pk").first()


def _to_transferred(lc, p):
    _add_all(lc, p)
    _submit(lc, p)
    kernel.perform(p, "approve", actor=lc.head)
    kernel.perform(p, "transfer", actor=lc.base.officer)


def _local(d: ProcessDeadline) -> dt.datetime:
    return d.due_at.astimezone(TZ)


def test_flow_declaration_sound():
    assert REFERRAL_FLOW.problems() == []


def test_create_referral_procuratorate_supervisor_police_not_yet_party(lc):
    p = _new(lc)
    roles = {(x.body_id, x.role) for x in p.parties.all()}
    assert (lc.procuratorate.pk, "supervisor") in roles
    assert lc.police.pk not in {b for b, _r in roles}
    assert p.state == "drafting" and p.record.police_body == lc.police


def test_submit_report_one_officer_refused(lc):
    p = _new(lc)
    with pytest.raises(InvalidInput) as exc:
        kernel.perform(p, "submit_report", actor=lc.base.officer, data={"report_summary": "x"},
                       officers=[lc.base.officer])
    assert exc.value.code == "officers_required"


def test_submit_report_uncertified_officer_refused(lc):
    p = _new(lc)
    with pytest.raises(InvalidInput) as exc:
        kernel.perform(p, "submit_report", actor=lc.base.officer, data={"report_summary": "x"},
                       officers=[lc.base.officer, lc.base.auxiliary])
    assert exc.value.code == "certificate_invalid"


def test_submit_report_two_certified_officers_starts_three_day_decision(lc, clock):
    p = _new(lc)
    _submit(lc, p)
    d = _deadline(p, "decision")
    assert p.state == "reported" and d.period_kind == "calendar_days" and d.period_amount == 3
    assert _local(d).date() == dt.date(2026, 3, 5)


def test_approve_by_officer_without_head_role_not_permitted(lc):
    p = _new(lc)
    _submit(lc, p)
    with pytest.raises(NotPermitted):
        kernel.perform(p, "approve", actor=lc.base.officer)


def test_approve_starts_24_natural_hours_transfer(lc, clock):
    p = _new(lc)
    _submit(lc, p)
    clock.set(2026, 3, 3, 10, 0)
    kernel.perform(p, "approve", actor=lc.head)
    assert _deadline(p, "decision").met_on_time is True
    t = _deadline(p, "transfer")
    assert t.period_kind == "natural_hours" and _local(t) == dt.datetime(2026, 3, 4, 10, 0, tzinfo=TZ)


def test_approve_after_three_days_recorded_late(lc, clock):
    p = _new(lc)
    _submit(lc, p)
    clock.set(2026, 3, 6, 9, 0)
    kernel.perform(p, "approve", actor=lc.head)
    assert _deadline(p, "decision").met_on_time is False


def test_reject_needs_reason_and_allows_penalty(lc):
    p = _new(lc)
    _submit(lc, p)
    with pytest.raises(InvalidInput):
        kernel.perform(p, "reject", actor=lc.head)
    kernel.perform(p, "reject", actor=lc.head, reason="未达追诉标准")
    assert p.state == "not_approved"
    services.assert_penalty_allowed("甲镇执罚〔2026〕1号")


def test_transfer_without_five_materials_refused(lc):
    p = _new(lc)
    _add_all(lc, p, kinds=[MaterialKind.TRANSFER_LETTER, MaterialKind.INVESTIGATION_REPORT,
                           MaterialKind.ITEM_LIST, MaterialKind.APPRAISAL])
    _submit(lc, p)
    kernel.perform(p, "approve", actor=lc.head)
    with pytest.raises(InvalidInput) as exc:
        kernel.perform(p, "transfer", actor=lc.base.officer)
    assert exc.value.code == "materials_missing" and exc.value.detail == {"missing": ["other"]}
    assert "其他有关涉嫌犯罪的材料" in exc.value.message
    p.refresh_from_db()
    assert p.state == "approved"
    services.do_add_material(p, actor=lc.base.officer, kind=MaterialKind.OTHER, file=png("o.png", b"o"))
    kernel.perform(p, "transfer", actor=lc.base.officer)
    assert p.state == "transferred"
    assert [m["kind"] for m in services.referral_materials(p)] == [*MaterialKind.values[:4], "other"]


def test_add_material_unknown_kind_refused(lc):
    p = _new(lc)
    with pytest.raises(InvalidInput) as exc:
        services.do_add_material(p, actor=lc.base.officer, kind="photo", file=png())
    assert exc.value.code == "material_kind_invalid"


def test_transfer_makes_police_assignee_who_can_download_materials(lc):
    p = _new(lc)
    _to_transferred(lc, p)
    assert p.parties.filter(body=lc.police, role="assignee", active=True).exists()
    from oneteam.workflow.models import Attachment

    assert Attachment.objects.visible_to(lc.policeman).filter(process=p).count() == 5


def test_police_receive_starts_filing_deadline_rolled_past_weekend(lc, clock):
    p = _new(lc)
    _to_transferred(lc, p)
    clock.set(2026, 3, 4, 15, 0)  # Wednesday; +3 calendar days = Saturday 03-07 → Monday 03-09
    kernel.perform(p, "receive", actor=lc.policeman)
    d = _deadline(p, "filing")
    assert _local(d).date() == dt.date(2026, 3, 9)
    assert "顺延" in str(d.explanation)


def test_referral_days_configurable_to_working_days(lc, clock, settings):
    settings.ONETEAM = {**settings.ONETEAM, "LINKAGE": {"REFERRAL_DAY_KIND": "working_days"}}
    p = _new(lc)
    clock.set(2026, 4, 30, 10, 0)  # Thursday before the 05-01…05-05 holiday
    _submit(lc, p)
    d = _deadline(p, "decision")
    assert d.period_kind == "working_days" and _local(d).date() == dt.date(2026, 5, 8)


def test_file_case_starts_three_day_handover_then_close(lc, clock):
    p = _new(lc)
    _to_transferred(lc, p)
    kernel.perform(p, "receive", actor=lc.policeman)
    with pytest.raises(InvalidInput):
        kernel.perform(p, "file_case", actor=lc.policeman)
    kernel.perform(p, "file_case", actor=lc.policeman, data={"police_case_number": "瑞公立〔2026〕12号"})
    assert p.record.police_case_number == "瑞公立〔2026〕12号"
    assert _deadline(p, "filing").met_on_time is True
    assert _deadline(p, "handover").period_amount == 3
    kernel.perform(p, "hand_over", actor=lc.base.officer)
    assert p.state == "handed_over" and p.closed_at is not None


def test_decline_then_reconsideration_then_supervision_deadlines(lc, clock):
    p = _new(lc)
    _to_transferred(lc, p)
    kernel.perform(p, "receive", actor=lc.policeman)
    with pytest.raises(InvalidInput):
        kernel.perform(p, "decline", actor=lc.policeman)
    kernel.perform(p, "decline", actor=lc.policeman, reason="犯罪事实显著轻微")
    assert _deadline(p, "reconsideration_request").period_amount == 3
    kernel.perform(p, "request_reconsideration", actor=lc.base.officer, reason="货值已达追诉标准")
    assert _deadline(p, "reconsideration_request").met_on_time is True
    assert _deadline(p, "reconsideration").period_amount == 3
    kernel.perform(p, "uphold", actor=lc.policeman, reason="维持")
    assert _deadline(p, "supervision_request").period_amount == 3
    kernel.perform(p, "request_supervision", actor=lc.base.officer, reason="建议立案监督")
    assert p.state == "supervising" and _deadline(p, "supervision_request").met_on_time is True


def test_supervision_notify_then_police_file(lc):
    p = _new(lc)
    _to_transferred(lc, p)
    kernel.perform(p, "receive", actor=lc.policeman)
    kernel.perform(p, "decline", actor=lc.policeman, reason="x")
    kernel.perform(p, "request_supervision", actor=lc.base.officer, reason="y")
    kernel.perform(p, "notify_filing", actor=lc.prosecutor, reason="不立案理由不成立")
    kernel.perform(p, "file_case", actor=lc.policeman, data={"police_case_number": "N1"})
    assert p.state == "filed"


def test_procuratorate_no_action_outside_supervision(lc):
    p = _new(lc)
    steps = [
        lambda: _add_all(lc, p),
        lambda: _submit(lc, p),
        lambda: kernel.perform(p, "approve", actor=lc.head),
        lambda: kernel.perform(p, "transfer", actor=lc.base.officer),
        lambda: kernel.perform(p, "receive", actor=lc.policeman),
        lambda: kernel.perform(p, "decline", actor=lc.policeman, reason="x"),
        lambda: kernel.perform(p, "request_reconsideration", actor=lc.base.officer, reason="y"),
        lambda: kernel.perform(p, "uphold", actor=lc.policeman, reason="z"),
    ]
    for step in steps:
        assert kernel.available_actions(p, lc.prosecutor) == []
        step()
        p.refresh_from_db()
    kernel.perform(p, "request_supervision", actor=lc.base.officer, reason="s")
    assert {a.name for a in kernel.available_actions(p, lc.prosecutor)} == {"notify_filing", "supervision_concluded"}


def test_procuratorate_cannot_approve_or_file(lc):
    p = _new(lc)
    _submit(lc, p)
    with pytest.raises(NotPermitted):
        kernel.perform(p, "approve", actor=lc.prosecutor)


def test_supervision_concluded_returns_case_and_allows_penalty(lc):
    case = "甲镇执罚〔2026〕9号"
    p = _new(lc, case)
    _to_transferred(lc, p)
    kernel.perform(p, "receive", actor=lc.policeman)
    kernel.perform(p, "decline", actor=lc.policeman, reason="x")
    with pytest.raises(InvalidInput):
        services.assert_penalty_allowed(case)
    kernel.perform(p, "request_supervision", actor=lc.base.officer, reason="y")
    with pytest.raises(InvalidInput):
        services.assert_penalty_allowed(case)
    kernel.perform(p, "supervision_concluded", actor=lc.prosecutor, reason="不立案理由成立")
    assert p.state == "returned"
    services.assert_penalty_allowed(case)


def test_accept_refusal_returns_case(lc):
    p = _new(lc)
    _to_transferred(lc, p)
    kernel.perform(p, "receive", actor=lc.policeman)
    kernel.perform(p, "decline", actor=lc.policeman, reason="x")
    kernel.perform(p, "accept_refusal", actor=lc.base.officer, reason="接受，自行处理")
    assert p.state == "returned"
    services.assert_penalty_allowed("甲镇执罚〔2026〕1号")


@pytest.mark.parametrize("steps", [0, 1, 2, 3, 4])
def test_penalty_while_referral_pending_blocked(lc, steps):
    case = "甲镇执罚〔2026〕7号"
    p = _new(lc, case)
    actions = [lambda: (_add_all(lc, p), _submit(lc, p)), lambda: kernel.perform(p, "approve", actor=lc.head),
               lambda: kernel.perform(p, "transfer", actor=lc.base.officer),
               lambda: kernel.perform(p, "receive", actor=lc.policeman)]
    for a in actions[:steps]:
        a()
    with pytest.raises(InvalidInput) as exc:
        services.assert_penalty_allowed(case)
    assert exc.value.code == "referral_pending" and "不得以行政处罚代替移送" in exc.value.message


def test_penalty_after_police_filing_blocked(lc):
    case = "甲镇执罚〔2026〕8号"
    p = _new(lc, case)
    _to_transferred(lc, p)
    kernel.perform(p, "receive", actor=lc.policeman)
    kernel.perform(p, "file_case", actor=lc.policeman, data={"police_case_number": "N"})
    with pytest.raises(InvalidInput) as exc:
        services.assert_penalty_allowed(case)
    assert exc.value.code == "referral_filed"


def test_penalty_without_referral_allowed(lc):
    _new(lc, "其他案")
    services.assert_penalty_allowed("无移送的案件")


def test_create_second_referral_same_case_while_pending_refused(lc):
    _new(lc)
    with pytest.raises(InvalidInput) as exc:
        _new(lc)
    assert exc.value.code == "referral_pending"


def test_forward_to_other_police_replaces_assignee(lc):
    from oneteam.core.testing import make_body
    from oneteam.org.choices import BodyKind

    other = make_body(BodyKind.POLICE, name="市公安局经侦大队")
    p = _new(lc)
    _to_transferred(lc, p)
    kernel.perform(p, "receive", actor=lc.policeman)
    kernel.perform(p, "forward", actor=lc.policeman, reason="属经侦管辖", data={"forward_to": other.code})
    assert p.state == "transferred" and p.record.police_body == other
    assert set(p.parties.filter(role="assignee", active=True).values_list("body_id", flat=True)) == {other.pk}


def test_every_referral_action_writes_ledger_entry(lc):
    p = _new(lc)
    _to_transferred(lc, p)
    kernel.perform(p, "receive", actor=lc.policeman)
    actions = set(LedgerEntry.objects.filter(object_id=str(p.pk)).values_list("action", flat=True))
    assert {"criminal_referral.start", "criminal_referral.add_material", "criminal_referral.submit_report",
            "criminal_referral.approve", "criminal_referral.transfer", "criminal_referral.receive"} <= actions
