"""Enforcement disputes (M7.6): no dispute without an interim responsible
body, which holds the lead meanwhile while the lead's own clock runs; the
three stages in order with their deadlines; a ruling re-routes the lead and
may become a competence rule."""

from __future__ import annotations

import datetime as dt

import pytest

from oneteam.catalog.resolver import who_handles
from oneteam.cooperation import services
from oneteam.core.errors import InvalidInput, NotPermitted
from oneteam.ledger.models import LedgerEntry
from oneteam.workflow import services as kernel
from oneteam.workflow.models import Party, Process, ProcessDeadline

from .conftest import TZ

pytestmark = pytest.mark.django_db


def _end_of(y, m, d) -> dt.datetime:
    return dt.datetime(y, m, d, 23, 59, 59, 999999, tzinfo=TZ)


def _assignees(process) -> set[int]:
    return set(Party.objects.filter(process=process, role="assignee", active=True).values_list("body_id", flat=True))


def _raise(coop, subject=None, **kw):
    args = {"counterparties": [coop.cast.team], "question": "无证食品小作坊由市场监管部门还是乡镇执法队查处",
            "interim_body": coop.cast.team, "subject": subject}
    args.update(kw)
    return services.do_raise_dispute(coop.cast.dept_handler, **args)


def _open_deadline(process, name) -> ProcessDeadline:
    return ProcessDeadline.objects.get(process=process, name=name, stopped_at__isnull=True)


def test_raise_without_interim_body_refused(coop, clock, start_lead):
    lead = start_lead()
    with pytest.raises(InvalidInput) as exc:
        _raise(coop, subject=lead, interim_body=None)
    assert exc.value.code == "interim_body_required" and "监管真空" in exc.value.message
    assert not Process.objects.filter(kind="dispute").exists()
    assert _assignees(lead) == {coop.cast.department.pk}


def test_raise_makes_interim_body_assignee_and_lead_clock_keeps_running(coop, clock, start_lead):
    lead = start_lead()
    before = _open_deadline(lead, "handling")
    clock.set(2026, 9, 30, 15, 0)
    d = _raise(coop, subject=lead)
    assert d.number == "ZY-2026-000001" and d.state == "negotiating"
    assert _assignees(lead) == {coop.cast.department.pk, coop.cast.team.pk}
    after = _open_deadline(lead, "handling")
    assert (after.pk, after.due_at, after.paused_since) == (before.pk, before.due_at, None)
    entry = LedgerEntry.objects.get(action=f"{lead.kind}.parties_changed")
    assert entry.object_id == str(lead.pk) and entry.payload["cause"] == d.number
    assert _open_deadline(d, "negotiation").due_at == _end_of(2026, 10, 13)


def test_raise_without_subject_or_matter_refused(coop, clock):
    with pytest.raises(InvalidInput) as exc:
        _raise(coop)
    assert exc.value.code == "subject_required"


def test_raise_about_invisible_lead_refused(coop, clock, start_lead):
    lead = start_lead()
    with pytest.raises(InvalidInput) as exc:
        services.do_raise_dispute(coop.third_officer, counterparties=[coop.cast.team], question="x",
                                  interim_body=coop.third_team, subject=lead)
    assert exc.value.code == "subject_unknown"


def test_three_stages_in_order_then_ruling_reroutes_lead(coop, clock, start_lead, matter):
    lead = start_lead()
    d = _raise(coop, subject=lead, matter=matter)
    # Coordination cannot start before negotiation fails; the ruling cannot come first.
    with pytest.raises(InvalidInput):
        kernel.perform(d, "rule", actor=coop.leader, data={"responsible_body": coop.cast.team.code,
                                                            "resolution": "x"})
    clock.set(2026, 10, 9, 10, 0)
    kernel.perform(d, "fail_negotiation", actor=coop.cast.officer, reason="双方各执一词")
    d.refresh_from_db()
    assert d.state == "coordinating"
    roles = {(p.body_id, p.role) for p in Party.objects.filter(process=d, active=True)}
    assert {(coop.staffing.pk, "copied"), (coop.justice.pk, "copied"),
            (coop.cast.guidance_office.pk, "supervisor")} <= roles
    assert _open_deadline(d, "coordination").due_at == _end_of(2026, 10, 22)  # 10 WD from Fri 10-09 (Sat 10-10 works)
    assert ProcessDeadline.objects.get(process=d, name="negotiation").met_on_time is True
    with pytest.raises(NotPermitted):
        kernel.perform(d, "refer", actor=coop.cast.officer, reason="x")
    kernel.perform(d, "refer", actor=coop.cast.supervisor, reason="编办、司法局意见不一致")
    d.refresh_from_db()
    assert d.state == "ruling"
    # The guidance office is a supervisor party too, but only the leading group rules.
    with pytest.raises(InvalidInput) as exc:
        kernel.perform(d, "rule", actor=coop.cast.supervisor, data={"responsible_body": coop.cast.team.code,
                                                                     "resolution": "x"})
    assert exc.value.code == "wrong_body"
    kernel.perform(d, "rule", actor=coop.leader, data={
        "responsible_body": coop.cast.team.code, "resolution": "无证食品小作坊日常巡查发现的由乡镇执法队查处",
        "make_rule": "1", "rule_source": "瑞执改〔2026〕3号"})
    d.refresh_from_db()
    assert d.state == "ruled"
    record = d.record
    assert record.resolved_body == coop.cast.team and record.resolved_stage == "ruling"
    assert _assignees(lead) == {coop.cast.team.pk}
    answer = who_handles(matter, township=coop.cast.township, on=dt.date(2026, 10, 9))
    assert answer.body == coop.cast.team and answer.basis == "rule" and answer.rule == record.rule
    assert "瑞执改〔2026〕3号" in " ".join(answer.reasons)


def test_ruling_without_make_rule_reroutes_lead_only(coop, clock, start_lead, matter):
    lead = start_lead()
    d = _raise(coop, subject=lead, matter=matter)
    kernel.perform(d, "fail_negotiation", actor=coop.cast.dept_handler, reason="不成")
    kernel.perform(d, "refer", actor=coop.cast.supervisor, reason="不成")
    kernel.perform(d, "rule", actor=coop.leader, data={"responsible_body": coop.cast.department.code,
                                                        "resolution": "由市场监管局查处"})
    assert _assignees(lead) == {coop.cast.department.pk}
    d.refresh_from_db()
    assert d.record.rule is None
    assert who_handles(matter, township=coop.cast.township, on=dt.date(2026, 10, 9)).basis != "rule"


def test_agree_in_negotiation_hands_lead_to_agreed_body(coop, clock, start_lead):
    lead = start_lead()
    d = _raise(coop, subject=lead)
    kernel.perform(d, "agree", actor=coop.cast.officer, data={
        "responsible_body": str(coop.cast.team.pk), "resolution": "由甲镇执法队查处，市场监管局提供技术支持"})
    d.refresh_from_db()
    assert d.state == "settled" and d.record.resolved_stage == "negotiation"
    assert _assignees(lead) == {coop.cast.team.pk}


def test_make_rule_outside_ruling_refused(coop, clock, start_lead, matter):
    d = _raise(coop, subject=start_lead(), matter=matter)
    with pytest.raises(InvalidInput) as exc:
        kernel.perform(d, "agree", actor=coop.cast.officer, data={
            "responsible_body": coop.cast.team.code, "resolution": "x", "make_rule": "1"})
    assert exc.value.code == "rule_needs_ruling"


def test_coordinate_by_staffing_office_not_permitted(coop, clock, start_lead):
    d = _raise(coop, subject=start_lead())
    kernel.perform(d, "fail_negotiation", actor=coop.cast.officer, reason="不成")
    with pytest.raises(NotPermitted):
        kernel.perform(d, "coordinate", actor=coop.staffing_user, data={
            "responsible_body": coop.cast.team.code, "resolution": "x"})
    kernel.perform(d, "coordinate", actor=coop.cast.supervisor, data={
        "responsible_body": coop.cast.team.code, "resolution": "经指导办会同编办、司法局协调，由执法队查处"})
    d.refresh_from_db()
    assert d.state == "coordinated"


def test_raise_about_matter_at_township_without_lead(coop, clock, matter):
    d = _raise(coop, matter=matter, township=coop.cast.township)
    assert d.township == coop.cast.township and d.record.subject is None
    assert not Process.objects.visible_to(coop.third_officer).filter(pk=d.pk).exists()
    assert Process.objects.visible_to(coop.cast.dispatcher).filter(pk=d.pk).exists()
