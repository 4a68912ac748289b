"""The inspect-once planner: merge rule, window edges, visit reduction."""

from __future__ import annotations

import datetime as dt

from oneteam.linkage import planner
from oneteam.linkage.identifiers import is_valid_credit_code
from oneteam.linkage.planner import PlanRef, plan_schedule

D = dt.date


def P(i, body, target, start, end=None, items=1):  # a compact constructor for the fixed data set
    return PlanRef(i, body, target, start, end or start, tuple(f"i{k}" for k in range(items)))


def test_plan_schedule_same_target_in_window_merged():
    s = plan_schedule([P(1, "SCJG", "T1", D(2026, 3, 1)), P(2, "WJ", "T1", D(2026, 3, 20))], 30)
    assert s.visits_before == 2 and s.visits_after == 1 and s.groups[0].is_cross_body


def test_plan_schedule_different_targets_not_merged():
    s = plan_schedule([P(1, "SCJG", "T1", D(2026, 3, 1)), P(2, "WJ", "T2", D(2026, 3, 1))], 30)
    assert s.visits_after == 2 and s.merges == []


def test_plan_schedule_window_edge_30_days_merged():
    s = plan_schedule([P(1, "A", "T", D(2026, 1, 1)), P(2, "B", "T", D(2026, 1, 31))], 30)
    assert s.visits_after == 1
    g = s.groups[0]
    assert (g.window_from, g.window_until, g.moved) == (D(2026, 1, 31), D(2026, 1, 31), True)


def test_plan_schedule_window_edge_31_days_not_merged():
    s = plan_schedule([P(1, "A", "T", D(2026, 1, 1)), P(2, "B", "T", D(2026, 2, 1))], 30)
    assert s.visits_after == 2


def test_plan_schedule_window_configurable():
    plans = [P(1, "A", "T", D(2026, 1, 1)), P(2, "B", "T", D(2026, 1, 10))]
    assert plan_schedule(plans, 7).visits_after == 2
    assert plan_schedule(plans, 9).visits_after == 1


def test_plan_schedule_one_body_several_plans_merged():
    s = plan_schedule([P(1, "A", "T", D(2026, 5, 1)), P(2, "A", "T", D(2026, 5, 15))], 30)
    assert s.visits_after == 1 and not s.groups[0].is_cross_body and s.groups[0].bodies == ["A"]


def test_plan_schedule_overlapping_windows_use_intersection():
    s = plan_schedule([P(1, "A", "T", D(2026, 4, 1), D(2026, 6, 30)), P(2, "B", "T", D(2026, 5, 1), D(2026, 5, 31))])
    g = s.groups[0]
    assert (g.window_from, g.window_until, g.moved) == (D(2026, 5, 1), D(2026, 5, 31), False)


def test_plan_schedule_chain_split_minimum_visits():
    # 1 Jan, 25 Jan, 20 Feb: the first two share a visit, the third is 26 days after the second but
    # 50 after the first: greedy gives 2 visits (the minimum).
    s = plan_schedule([P(1, "A", "T", D(2026, 1, 1)), P(2, "B", "T", D(2026, 1, 25)),
                       P(3, "C", "T", D(2026, 2, 20))], 30)
    assert s.visits_after == 2 and [len(g.plans) for g in s.groups] == [2, 1]


def test_plan_schedule_lead_has_most_items():
    s = plan_schedule([P(1, "A", "T", D(2026, 1, 1), items=1), P(2, "B", "T", D(2026, 1, 2), items=3)])
    assert s.groups[0].lead() == "B"


def test_visit_reduction_on_fixed_data_set():
    plans = [
        # T1: three bodies in one quarter → 1 visit
        P(1, "SCJG", "T1", D(2026, 1, 1), D(2026, 3, 31)), P(2, "WJ", "T1", D(2026, 2, 1), D(2026, 2, 28)),
        P(3, "YJ", "T1", D(2026, 3, 10)),
        # T2: two fixed visits 45 days apart → 2 visits
        P(4, "SCJG", "T2", D(2026, 4, 1)), P(5, "ZHZF", "T2", D(2026, 5, 16)),
        # T3: one body twice in a month, another body the next quarter → 2 visits
        P(6, "STHJ", "T3", D(2026, 6, 2)), P(7, "STHJ", "T3", D(2026, 6, 20)),
        P(8, "ZJ", "T3", D(2026, 10, 1), D(2026, 12, 31)),
        # T4: single plan → 1 visit
        P(9, "JT", "T4", D(2026, 7, 7)),
        # T5: quarter window + month window 20 days after it ends → 1 visit (moved)
        P(10, "SCJG", "T5", D(2026, 7, 1), D(2026, 9, 30)), P(11, "WJ", "T5", D(2026, 10, 20), D(2026, 10, 31)),
    ]
    s = plan_schedule(plans, 30)
    assert (s.visits_before, s.visits_after, s.saved) == (11, 7, 4)
    assert round(s.reduction, 4) == 0.3636
    assert s.summary()["cross_body_groups"] == 2  # T1 and T5; T3 merges one body's own plans


def test_repeat_warnings_different_bodies_within_window_only():
    visits = [("T", "A", D(2026, 1, 1)), ("T", "B", D(2026, 1, 20)), ("T", "A", D(2026, 1, 25)),
              ("U", "A", D(2026, 1, 1)), ("U", "B", D(2026, 3, 1))]
    w = planner.repeat_warnings(visits, 30)
    assert ("T", "A", D(2026, 1, 1), "B", D(2026, 1, 20)) in w
    assert all(x[0] == "T" for x in w) and len(w) == 2


def test_synthetic_year_deterministic_valid_codes():
    ents, plans = planner.synthetic_year(2026, entities=40)
    ents2, plans2 = planner.synthetic_year(2026, entities=40)
    assert ents == ents2 and plans == plans2
    assert all(is_valid_credit_code(e.credit_code) for e in ents)
    assert {p.body for p, _t in plans} <= set(planner.DEMO_DEPARTMENTS)


def test_synthetic_year_reduction_figure_pinned():
    _ents, plans = planner.synthetic_year(2026)
    s = plan_schedule([p for p, _t in plans], 30)
    assert (s.visits_before, s.visits_after) == (1116, 639)
