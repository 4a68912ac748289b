"""Metrics primitives on a small hand-checked data set.

Calendar (2026): 10-01…10-07 National Day, 10-10 (Sat) an adjusted working day.
Response: 2 working days from the start; handling: 5 from acceptance, 3 after rework.

team  P1 start 09-28, accept 09-29 (on time), handling due 10-12, report 10-09 (on time), close very satisfied
team  P2 start 09-28, accept 10-08 (late: due 09-30), handling due 10-14, report 10-09 (on time),
         rework 10-09 (3 wd: due 10-13), report 10-15 (late), close dissatisfied
team  P3 start 09-28, never accepted: response overdue at 10-16
team  P5 start 09-28, withdrawn the same day (closed; its response clock stops)
dept  P4 start 09-28, accept 09-28 (on time), handling due 10-10, not reported: overdue at 10-16
"""

from __future__ import annotations

import datetime as dt

import pytest

from oneteam.workflow import metrics, services
from oneteam.workflow.models import ProcessDeadline

from .conftest import TZ, png

pytestmark = pytest.mark.django_db


def _at(clock, m, d, h=10):
    clock.set(2026, m, d, h, 0)


def _report(p, cast):
    services.perform(
        p,
        "report",
        actor=cast.officer,
        data={"result": "ok"},
        attachments=[png()],
        officers=[cast.officer, cast.officer2],
    )


@pytest.fixture
def dataset(cast, clock, start_drill):
    _at(clock, 9, 28)
    p1, p2, p3, p5 = (start_drill(title=f"P{i}") for i in (1, 2, 3, 5))
    p4 = start_drill(title="P4", assignees=[cast.department])
    services.perform(p5, "withdraw", actor=cast.dispatcher, reason="重复")
    services.perform(p4, "accept", actor=cast.dept_handler)
    _at(clock, 9, 29)
    services.perform(p1, "accept", actor=cast.officer)
    _at(clock, 10, 8, 9)
    services.perform(p2, "accept", actor=cast.officer)
    _at(clock, 10, 9)
    _report(p1, cast)
    _report(p2, cast)
    services.perform(p1, "close", actor=cast.dispatcher, data={"satisfaction": "very_satisfied"})
    _at(clock, 10, 9, 12)
    services.perform(p2, "rework", actor=cast.dispatcher, reason="未整改到位")
    _at(clock, 10, 15)
    _report(p2, cast)
    services.perform(p2, "close", actor=cast.dispatcher, data={"satisfaction": "dissatisfied"})
    return {"p1": p1, "p2": p2, "p3": p3, "p4": p4, "p5": p5}


def test_body_counts_on_hand_checked_set_match(cast, dataset, django_assert_num_queries):
    now = dt.datetime(2026, 10, 16, 10, 0, tzinfo=TZ)
    with django_assert_num_queries(1):
        rows = metrics.body_counts(kinds=["drill"], now=now)
    by_body = {r["body_id"]: r for r in rows}
    team = by_body[cast.team.pk]
    assert {k: team[k] for k in metrics.COUNT_NAMES} == {
        "dispatched": 4,
        "responded": 2,
        "responded_on_time": 1,
        "handled": 2,
        "handled_on_time": 1,
        "reworked": 1,
        "closed": 3,
        "overdue_now": 1,
        "returned_visits": 2,
        "satisfied": 1,
    }
    assert (team["response_rate"], team["handling_rate"], team["on_time_handling_rate"]) == (0.25, 0.5, 0.25)
    assert (team["rework_rate"], team["closure_rate"], team["satisfaction_rate"]) == (0.25, 0.75, 0.5)
    dept = by_body[cast.department.pk]
    assert {k: dept[k] for k in metrics.COUNT_NAMES} == {
        "dispatched": 1,
        "responded": 1,
        "responded_on_time": 1,
        "handled": 0,
        "handled_on_time": 0,
        "reworked": 0,
        "closed": 0,
        "overdue_now": 1,
        "returned_visits": 0,
        "satisfied": 0,
    }
    assert dept["satisfaction_rate"] is None
    total = metrics.totals(rows)
    assert total["dispatched"] == 5 and total["overdue_now"] == 2 and total["response_rate"] == 0.4


def test_stored_due_times_match_hand_check(dataset):
    def due(p, name, idx=0):
        rows = ProcessDeadline.objects.filter(process=p, name=name).order_by("pk")
        return rows[idx].due_at.astimezone(TZ).date().isoformat()

    assert due(dataset["p1"], "response") == "2026-09-30"
    assert due(dataset["p1"], "handling") == "2026-10-12"
    assert due(dataset["p2"], "handling", 0) == "2026-10-14"
    assert due(dataset["p2"], "handling", 1) == "2026-10-13"
    assert due(dataset["p4"], "handling") == "2026-10-10"
    # The withdrawn process's response clock was stopped without a verdict.
    r5 = ProcessDeadline.objects.get(process=dataset["p5"], name="response")
    assert r5.stopped_at is not None and r5.met_on_time is None


def test_body_counts_filters_by_period_and_body(cast, dataset):
    later = dt.datetime(2026, 10, 1, tzinfo=TZ)
    assert metrics.body_counts(kinds=["drill"], since=later) == []
    rows = metrics.body_counts(bodies=[cast.department.pk])
    assert [r["body_id"] for r in rows] == [cast.department.pk]
