"""Targets, plans, merge proposals, combined inspections and their public code."""

from __future__ import annotations

import datetime as dt

import pytest

from oneteam.core.errors import InvalidInput, NotPermitted
from oneteam.ledger.models import LedgerEntry
from oneteam.linkage import selectors, services
from oneteam.linkage.choices import PlanStatus
from oneteam.linkage.services import ItemInput
from oneteam.workflow import services as kernel

pytestmark = pytest.mark.django_db
D = dt.date
CODE = "91350100M000100Y43"


def _target(cast, code=CODE, name="某餐饮有限公司"):
    return services.do_register_target(actor=cast.dept_handler, name=name, credit_code=code)


def _plan(user, target, start, end=None, item="食品经营检查", note=""):
    return services.do_register_plan(actor=user, target=target, title=f"{item}计划", planned_from=start,
                                     planned_until=end,
                                     items=[ItemInput(name=item, legal_basis="《食品安全法》第八十七条")],
                                     note=note)


def test_register_target_bad_credit_code_refused(cast):
    with pytest.raises(InvalidInput) as exc:
        services.do_register_target(actor=cast.dept_handler, name="x", credit_code="91350100M000100Y44")
    assert exc.value.code == "credit_code_invalid"


def test_register_target_same_code_returns_existing(cast):
    a = _target(cast)
    b = services.do_register_target(actor=cast.dept_handler, name="别名", credit_code=CODE.lower())
    assert a.pk == b.pk


def test_register_target_place_without_code_ok(cast):
    t = services.do_register_target(actor=cast.officer, name="安阳农贸市场", kind="place")
    assert t.credit_code == ""


def test_register_plan_records_ledger_and_items(cast):
    t = _target(cast)
    plan = _plan(cast.dept_handler, t, D(2026, 3, 1))
    assert plan.items.count() == 1 and plan.status == PlanStatus.REGISTERED
    assert LedgerEntry.objects.filter(action="linkage.plan_register", object_id=str(plan.pk)).exists()


def test_register_plan_without_items_refused(cast):
    with pytest.raises(InvalidInput):
        services.do_register_plan(actor=cast.dept_handler, target=_target(cast), title="x", planned_from=D(2026, 1, 1))


def test_register_plan_catalog_matter_basis_copied(cast):
    from oneteam.catalog.models import Matter

    matter = Matter.objects.create(code="330275012000", name="某事项")
    with pytest.raises(InvalidInput) as exc:  # no catalog entry in force → a basis must be given
        services.do_register_plan(actor=cast.dept_handler, target=_target(cast), title="x",
                                  planned_from=D(2026, 1, 1), items=[ItemInput(matter=matter)])
    assert exc.value.code == "basis_required"
    plan = services.do_register_plan(actor=cast.dept_handler, target=_target(cast), title="x",
                                     planned_from=D(2026, 1, 1),
                                     items=[ItemInput(matter=matter, legal_basis="《条例》第五条")])
    assert plan.items.get().matter == matter


def test_merge_proposals_same_target_in_window(cast):
    t = _target(cast)
    _plan(cast.dept_handler, t, D(2026, 3, 1))
    _plan(cast.officer, t, D(2026, 3, 25))
    s = services.merge_proposals(period_from=D(2026, 1, 1), period_until=D(2026, 12, 31))
    assert (s.visits_before, s.visits_after) == (2, 1)


def test_merge_proposals_other_target_and_outside_window(cast):
    t = _target(cast)
    u = services.do_register_target(actor=cast.officer, name="广场", kind="place")
    _plan(cast.dept_handler, t, D(2026, 3, 1))
    _plan(cast.officer, u, D(2026, 3, 2))
    _plan(cast.officer, t, D(2026, 4, 1))  # 31 days after
    s = services.merge_proposals(period_from=D(2026, 1, 1), period_until=D(2026, 12, 31))
    assert s.visits_after == 3 and s.merges == []


def test_combine_creates_process_with_code_and_binds_plans(cast):
    t = _target(cast)
    a = _plan(cast.dept_handler, t, D(2026, 3, 1), item="食品经营")
    b = _plan(cast.officer, t, D(2026, 3, 20), item="占道经营")
    p = services.do_combine([a, b], actor=cast.dept_handler)
    rec = p.record
    assert p.state == "scheduled" and len(rec.code) == 10
    assert set(p.parties.filter(role="assignee").values_list("body_id", flat=True)) == {cast.department.pk,
                                                                                           cast.team.pk}
    a.refresh_from_db()
    assert a.status == PlanStatus.COMBINED and a.combined == rec
    assert LedgerEntry.objects.filter(action="combined_inspection.start", object_id=str(p.pk)).exists()


def test_combine_outside_window_refused(cast):
    t = _target(cast)
    a = _plan(cast.dept_handler, t, D(2026, 3, 1))
    b = _plan(cast.officer, t, D(2026, 4, 1))
    with pytest.raises(InvalidInput) as exc:
        services.do_combine([a, b], actor=cast.dept_handler)
    assert exc.value.code == "not_combinable"


def test_combine_different_targets_refused(cast):
    a = _plan(cast.dept_handler, _target(cast), D(2026, 3, 1))
    b = _plan(cast.officer, services.do_register_target(actor=cast.officer, name="p", kind="place"), D(2026, 3, 1))
    with pytest.raises(InvalidInput) as exc:
        services.do_combine([a, b], actor=cast.dept_handler)
    assert exc.value.code == "different_targets"


def test_combine_by_unrelated_body_not_permitted(cast):
    t = _target(cast)
    a = _plan(cast.dept_handler, t, D(2026, 3, 1))
    b = _plan(cast.officer, t, D(2026, 3, 2))
    with pytest.raises(NotPermitted):
        services.do_combine([a, b], actor=cast.other_officer)
    assert services.do_combine([a, b], actor=cast.supervisor).record.lead_body in (cast.department, cast.team)


def test_combine_own_several_plans(cast):
    t = _target(cast)
    a = _plan(cast.dept_handler, t, D(2026, 3, 1))
    b = _plan(cast.dept_handler, t, D(2026, 3, 10))
    p = services.do_combine([a, b], actor=cast.dept_handler)
    assert p.record.lead_body == cast.department


def test_conduct_by_lead_with_two_officers_marks_plans_done(cast):
    t = _target(cast)
    a = _plan(cast.dept_handler, t, D(2026, 3, 1))
    b = _plan(cast.officer, t, D(2026, 3, 2), item="占道")
    p = services.do_combine([a, b], actor=cast.officer, lead_body=cast.team)
    with pytest.raises(InvalidInput):
        kernel.perform(p, "conduct", actor=cast.officer, data={"findings": "无问题"}, officers=[cast.officer])
    with pytest.raises(InvalidInput) as exc:
        kernel.perform(p, "conduct", actor=cast.dept_handler, data={"findings": "x"},
                       officers=[cast.officer, cast.officer2])
    assert exc.value.code == "not_lead"
    kernel.perform(p, "conduct", actor=cast.officer, data={"findings": "无问题"},
                   officers=[cast.officer, cast.officer2])
    a.refresh_from_db()
    assert p.state == "conducted" and a.status == PlanStatus.DONE and p.record.findings == "无问题"


def test_cancel_combined_releases_plans(cast):
    t = _target(cast)
    a = _plan(cast.dept_handler, t, D(2026, 3, 1))
    b = _plan(cast.officer, t, D(2026, 3, 2))
    p = services.do_combine([a, b], actor=cast.dept_handler)
    kernel.perform(p, "cancel", actor=cast.dept_handler, reason="对象停业")
    a.refresh_from_db()
    assert a.status == PlanStatus.REGISTERED and a.combined is None


def test_public_inspection_shows_only_public_fields(cast):
    t = _target(cast)
    a = _plan(cast.dept_handler, t, D(2026, 3, 1), note="内部：疑似无证")
    b = _plan(cast.officer, t, D(2026, 3, 2), item="占道经营")
    p = services.do_combine([a, b], actor=cast.dept_handler, note="秘密备注")
    info = selectors.public_inspection(p.record.code.lower())
    assert info["target"] == t.name and info["lead_body"] == cast.department.name
    assert {i["name"] for i in info["items"]} == {"食品经营检查", "占道经营"}
    assert all(i["legal_basis"] for i in info["items"])
    text = repr(info)
    assert "秘密" not in text and "内部" not in text and "疑似" not in text
    assert selectors.public_inspection("JC-00000-00000") is None


def test_repeat_warnings_for_target(cast):
    t = _target(cast)
    _plan(cast.dept_handler, t, D(2026, 3, 1))
    _plan(cast.officer, t, D(2026, 3, 20))
    warnings = selectors.target_warnings(t)
    assert len(warnings) == 1 and "30日内" in warnings[0]


def test_withdraw_plan_own_body_only(cast):
    plan = _plan(cast.dept_handler, _target(cast), D(2026, 3, 1))
    with pytest.raises(NotPermitted):
        services.do_withdraw_plan(plan, actor=cast.officer, reason="x")
    assert services.do_withdraw_plan(plan, actor=cast.dept_handler, reason="计划调整").status == "withdrawn"
