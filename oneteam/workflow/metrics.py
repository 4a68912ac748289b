"""Metrics primitives, identical for every flow, computed in SQL from stored
transitions and deadlines (no calendar is consulted: due times were stored when
set).

Conventions (see ``docs/workflow.md``):

- A process counts for each body that is (or was) its **assignee** party.
- ``responded`` / ``handled``: the body took an action declared with
  ``counts_as="response"`` / ``"handling"``.
- ``responded_on_time`` / ``handled_on_time``: deadlines named ``response`` /
  ``handling`` were stopped by actions, every one of them in time (a handling
  redone after rework and finished late is not on time).
- ``reworked``: some action with ``counts_as="rework"`` was taken on it.
- ``closed``: it reached a terminal state.
- ``overdue_now``: it has a running (open, not paused) deadline past due.
- ``returned_visits`` / ``satisfied``: a ``counts_as="satisfaction"`` action
  stored a rating; satisfied = satisfied or very satisfied.

Raw counts are always returned so any counting convention can be recomputed;
rates use the default formulas of rules.md §4 and are None on a zero base.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from .declare import CountsAs, PartyRole, Satisfaction
from .models import Party, ProcessDeadline, Transition

COUNT_NAMES = (
    "dispatched",
    "responded",
    "responded_on_time",
    "handled",
    "handled_on_time",
    "reworked",
    "closed",
    "overdue_now",
    "returned_visits",
    "satisfied",
)

#: rate name → (numerator, denominator)
RATES = {
    "response_rate": ("responded_on_time", "dispatched"),  # 响应率
    "handling_rate": ("handled", "dispatched"),  # 处置率
    "on_time_handling_rate": ("handled_on_time", "dispatched"),  # 按期处置率
    "rework_rate": ("reworked", "dispatched"),  # 返工率
    "closure_rate": ("closed", "dispatched"),  # 结案率
    "satisfaction_rate": ("satisfied", "returned_visits"),  # 满意率
}


def _acted(counts_as: str) -> Exists:
    return Exists(Transition.objects.filter(process=OuterRef("process"), counts_as=counts_as, body=OuterRef("body")))


def _met(name: str) -> Q:
    met = Exists(ProcessDeadline.objects.filter(process=OuterRef("process"), name=name, met_on_time=True))
    missed = Exists(ProcessDeadline.objects.filter(process=OuterRef("process"), name=name, met_on_time=False))
    return Q(met) & ~Q(missed)


def body_counts(
    *,
    kinds: Iterable[str] | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    bodies: Iterable[int] | None = None,
    now: dt.datetime | None = None,
) -> list[dict[str, Any]]:
    """Per assignee body: raw counts and rates over processes created in
    [``since``, ``until``) of the given ``kinds`` (default all). One SQL query
    (GROUP BY body) with EXISTS subqueries; no per-row work in Python."""
    now = now or timezone.now()
    parties = Party.objects.filter(role=PartyRole.ASSIGNEE)
    if kinds is not None:
        parties = parties.filter(process__kind__in=list(kinds))
    if since is not None:
        parties = parties.filter(process__created_at__gte=since)
    if until is not None:
        parties = parties.filter(process__created_at__lt=until)
    if bodies is not None:
        parties = parties.filter(body_id__in=list(bodies))
    overdue = Exists(
        ProcessDeadline.objects.filter(
            process=OuterRef("process"),
            stopped_at__isnull=True,
            paused_since__isnull=True,
            due_at__lt=now,
            process__closed_at__isnull=True,
        )
    )
    rework = Exists(Transition.objects.filter(process=OuterRef("process"), counts_as=CountsAs.REWORK))
    rows = (
        parties.values("body_id", "body__name")
        .annotate(
            dispatched=Count("pk"),
            responded=Count("pk", filter=Q(_acted(CountsAs.RESPONSE))),
            responded_on_time=Count("pk", filter=_met("response")),
            handled=Count("pk", filter=Q(_acted(CountsAs.HANDLING))),
            handled_on_time=Count("pk", filter=_met("handling")),
            reworked=Count("pk", filter=Q(rework)),
            closed=Count("pk", filter=Q(process__closed_at__isnull=False)),
            overdue_now=Count("pk", filter=Q(overdue)),
            returned_visits=Count("pk", filter=~Q(process__satisfaction="")),
            satisfied=Count(
                "pk", filter=Q(process__satisfaction__in=[Satisfaction.VERY_SATISFIED, Satisfaction.SATISFIED])
            ),
        )
        .order_by("body__name")
    )
    out = []
    for row in rows:
        item = {"body_id": row["body_id"], "body": row["body__name"], **{k: row[k] for k in COUNT_NAMES}}
        item.update(rates(item))
        out.append(item)
    return out


def rates(counts: dict[str, int]) -> dict[str, float | None]:
    return {name: (round(counts[num] / counts[den], 4) if counts[den] else None) for name, (num, den) in RATES.items()}


def totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Sum of the raw counts of ``rows`` with rates recomputed from the sums."""
    out: dict[str, Any] = {k: sum(r[k] for r in rows) for k in COUNT_NAMES}
    out.update(rates(out))
    return out
