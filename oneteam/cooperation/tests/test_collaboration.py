"""Collaboration requests (M7.2): 5+5 working days from receipt, one
extension, escalation to a Wenzhou-level department keeping history,
refusals with reasons, overdue flags and per-department rates."""

from __future__ import annotations

import datetime as dt

import pytest

from oneteam.cooperation import selectors, services
from oneteam.cooperation.choices import CollaborationKind, EscalationCause
from oneteam.core.errors import InvalidInput, NotPermitted
from oneteam.ledger.models import LedgerEntry
from oneteam.workflow import selectors as kernel_selectors
from oneteam.workflow import services as kernel
from oneteam.workflow.models import Party, ProcessDeadline, Transition

from .conftest import TZ

pytestmark = pytest.mark.django_db


def _end_of(y, m, d) -> dt.datetime:
    return dt.datetime(y, m, d, 23, 59, 59, 999999, tzinfo=TZ)


def _submit(coop, **kw):
    args = {"department": coop.cast.department, "request_kind": CollaborationKind.DETERMINATION,
            "case_summary": "某超市销售疑似不合格电热水壶", "question": "请对抽检样品是否属于不合格产品作出认定"}
    args.update(kw)
    return services.do_submit_collaboration(coop.cast.officer, **args)


def _handling(p) -> ProcessDeadline:
    return ProcessDeadline.objects.get(process=p, name="handling", stopped_at__isnull=True)


def test_submit_received_on_holiday_eve_due_after_national_day(coop, clock):
    p = _submit(coop)
    assert p.number == "XZ-2026-000001" and p.state == "submitted"
    assert _handling(p).due_at == _end_of(2026, 10, 13)
    roles = {(x.body_id, x.role) for x in Party.objects.filter(process=p)}
    assert (coop.cast.guidance_office.pk, "supervisor") in roles
    assert (coop.cast.department.pk, "assignee") in roles


def test_extend_complex_request_adds_five_working_days(coop, clock):
    p = _submit(coop)
    clock.set(2026, 10, 8, 10, 0)
    kernel.perform(p, "receive", actor=coop.cast.dept_handler)
    kernel.perform(p, "extend", actor=coop.cast.dept_handler, reason="需送检测机构检验")
    d = _handling(p)
    assert d.due_at == _end_of(2026, 10, 20) and d.extension_count == 1


def test_extend_second_time_refused(coop, clock):
    p = _submit(coop)
    kernel.perform(p, "receive", actor=coop.cast.dept_handler)
    kernel.perform(p, "extend", actor=coop.cast.dept_handler, reason="复杂")
    with pytest.raises(InvalidInput) as exc:
        kernel.perform(p, "extend", actor=coop.cast.dept_handler, reason="还要延")
    assert exc.value.code == "extension_limit"


def test_extend_without_reason_refused(coop, clock):
    p = _submit(coop)
    kernel.perform(p, "receive", actor=coop.cast.dept_handler)
    with pytest.raises(InvalidInput):
        kernel.perform(p, "extend", actor=coop.cast.dept_handler)


def test_submit_to_prefecture_department_refused(coop, clock):
    with pytest.raises(InvalidInput) as exc:
        _submit(coop, department=coop.prefecture_department)
    assert exc.value.code == "not_a_department"


def test_submit_by_department_refused(coop, clock):
    with pytest.raises(InvalidInput) as exc:
        services.do_submit_collaboration(coop.cast.dept_handler, department=coop.department2,
                                         request_kind="opinion", case_summary="x", question="y")
    assert exc.value.code == "not_a_requester"


def test_submit_by_auxiliary_not_permitted(coop, clock):
    with pytest.raises(NotPermitted):
        services.do_submit_collaboration(coop.cast.auxiliary, department=coop.cast.department,
                                         request_kind="opinion", case_summary="x", question="y")


def test_reply_on_time_records_handling_and_ledger(coop, clock):
    p = _submit(coop)
    clock.set(2026, 10, 9, 15, 0)
    kernel.perform(p, "reply", actor=coop.cast.dept_handler, data={"reply": "经认定，样品属不合格产品。"})
    p.refresh_from_db()
    assert p.state == "replied" and p.record.reply.startswith("经认定")
    d = ProcessDeadline.objects.get(process=p, name="handling")
    assert d.met_on_time is True
    assert LedgerEntry.objects.filter(action="collaboration.reply").count() == 1


def test_refuse_without_reason_refused(coop, clock):
    p = _submit(coop)
    with pytest.raises(InvalidInput) as exc:
        kernel.perform(p, "refuse", actor=coop.cast.dept_handler)
    assert exc.value.code == "reason_required"


def test_escalate_by_department_keeps_history_and_restarts_clock(coop, clock):
    p = _submit(coop)
    kernel.perform(p, "receive", actor=coop.cast.dept_handler)
    clock.set(2026, 10, 9, 10, 0)
    kernel.perform(p, "escalate", actor=coop.cast.dept_handler, reason="涉及专业检测，需温州市局支持",
                   data={"escalate_to": coop.prefecture_department.code})
    p.refresh_from_db()
    assert p.state == "submitted" and p.number == "XZ-2026-000001"
    assert p.record.escalation_cause == EscalationCause.DEPARTMENT_REQUEST
    assert p.record.escalated_from == coop.cast.department
    active = set(Party.objects.filter(process=p, role="assignee", active=True).values_list("body_id", flat=True))
    assert active == {coop.prefecture_department.pk}
    # History kept: the department's transitions stay and it still sees the request.
    assert list(Transition.objects.filter(process=p).values_list("action", flat=True)) == [
        "start", "receive", "escalate"]
    assert p in kernel_selectors.processes_of(coop.cast.dept_handler, "collaboration")
    # The Wenzhou department now has 5 working days from the escalation: Fri 10-09 → Thu 10-15
    # (Sat 10-10 is an adjusted working day).
    assert _handling(p).due_at == _end_of(2026, 10, 15)
    kernel.perform(p, "reply", actor=coop.wz_handler, data={"reply": "已出具检验意见"})


def test_escalate_by_township_before_failure_refused(coop, clock):
    p = _submit(coop)
    with pytest.raises(InvalidInput) as exc:
        kernel.perform(p, "escalate", actor=coop.cast.officer, reason="急",
                       data={"escalate_to": coop.prefecture_department.code})
    assert exc.value.code == "department_not_failed"


def test_escalate_by_township_after_overdue_records_failure(coop, clock):
    p = _submit(coop)
    clock.set(2026, 10, 14, 9, 0)
    kernel.perform(p, "escalate", actor=coop.cast.officer, reason="部门逾期未答复",
                   data={"escalate_to": coop.prefecture_department.code})
    p.refresh_from_db()
    assert p.record.escalation_cause == EscalationCause.DEPARTMENT_OVERDUE
    missed = ProcessDeadline.objects.get(process=p, name="handling", stopped_at__isnull=False)
    assert missed.met_on_time is False


def test_escalate_after_refusal_by_township_allowed_once(coop, clock):
    p = _submit(coop)
    kernel.perform(p, "refuse", actor=coop.cast.dept_handler, reason="不属于本部门职责")
    kernel.perform(p, "escalate", actor=coop.cast.officer, reason="部门拒绝",
                   data={"escalate_to": coop.prefecture_department.code})
    p.refresh_from_db()
    assert p.record.escalation_cause == EscalationCause.DEPARTMENT_REFUSED
    kernel.perform(p, "refuse", actor=coop.wz_handler, reason="请按属地原则办理")
    with pytest.raises(InvalidInput) as exc:
        kernel.perform(p, "escalate", actor=coop.cast.officer, reason="再提",
                       data={"escalate_to": coop.prefecture_department.code})
    assert exc.value.code == "already_escalated"


def test_escalate_to_county_department_refused(coop, clock):
    p = _submit(coop)
    with pytest.raises(InvalidInput) as exc:
        kernel.perform(p, "escalate", actor=coop.cast.dept_handler, reason="x",
                       data={"escalate_to": coop.department2.code})
    assert exc.value.code == "not_prefecture_department"


def test_overdue_request_flagged_to_department_township_and_guidance(coop, clock):
    p = _submit(coop)
    clock.set(2026, 10, 14, 9, 0)
    for user in (coop.cast.dept_handler, coop.cast.officer, coop.cast.supervisor):
        assert list(selectors.overdue(user, "collaboration", now=clock.now)) == [p], user
    assert not selectors.overdue(coop.third_officer, "collaboration", now=clock.now).exists()
    assert p in kernel_selectors.inbox(coop.cast.dept_handler, "overdue", now=clock.now)


def test_rates_per_department_count_on_time_replies(coop, clock):
    on_time = _submit(coop)
    late = _submit(coop)
    kernel.perform(on_time, "receive", actor=coop.cast.dept_handler)
    kernel.perform(on_time, "reply", actor=coop.cast.dept_handler, data={"reply": "已认定"})
    clock.set(2026, 10, 15, 9, 0)
    kernel.perform(late, "reply", actor=coop.cast.dept_handler, data={"reply": "迟复"})
    row = next(r for r in services.collaboration_rates() if r["body_id"] == coop.cast.department.pk)
    assert (row["dispatched"], row["responded"], row["handled"], row["handled_on_time"]) == (2, 1, 2, 1)
    assert row["on_time_handling_rate"] == 0.5
