"""Every scoped read of the oversight context: the metrics table (over the
roll-ups) and the drill-down behind each number. (The command room's queue
is ``oneteam.command.selectors.room_list``.)

Access: a unit row is visible when the body is the user's own (or under it),
or belongs to one of the user's townships; grouped per township, when the
township is one of the user's. The command centre, the guidance office and
other citywide bodies see every unit (``oneteam.core.access.scope_for``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from oneteam.core.access import Scope, scope_for
from oneteam.core.inputs import parse_date
from oneteam.org.models import Body, Township
from oneteam.workflow.models import Party, Process, ProcessDeadline

from . import conf, rollups
from .models import COUNTERS, UnitDayStats, UnitFact

GROUPS = ("body", "township")
DRILLABLE = (*COUNTERS, conf.OVERDUE)


@dataclass(frozen=True)
class Filters:
    kind: str = "event"
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    group: str = "body"

    @classmethod
    def from_params(cls, params, *, today: dt.date | None = None) -> Filters:
        """``kind``, ``from``, ``to`` (ISO dates, default: this year up to today), ``group``."""
        from oneteam.core.errors import InvalidInput

        today = today or timezone.localdate()
        kind = (params.get("kind") or "event").strip()
        group = params.get("group") or "body"
        if group not in GROUPS:
            raise InvalidInput(_("group 只能是 body 或 township。"), code="bad_group")
        date_from = parse_date(params.get("from"), default=dt.date(today.year, 1, 1))
        date_to = parse_date(params.get("to"), default=today)
        if date_to < date_from:
            raise InvalidInput(_("结束日期不能早于开始日期。"), code="bad_range")
        return cls(kind=kind, date_from=date_from, date_to=date_to, group=group)

    def as_params(self) -> dict[str, str]:
        return {"kind": self.kind, "from": self.date_from.isoformat(), "to": self.date_to.isoformat(),
                "group": self.group}


def _scope_q(scope: Scope, group: str) -> Q | None:
    """None: everything; Q(pk__in=[]) : nothing."""
    if scope.nothing:
        return Q(pk__in=[])
    if scope.everything:
        return None
    place = Q(body__township_id__in=scope.township_ids) if group == "body" else Q(
        township_id__in=scope.township_ids)
    return place | Q(body_id__in=scope.body_ids)


def _scope_sql(scope: Scope, group: str) -> tuple[str, list[Any]]:
    """The same rule for raw SQL over ``pa`` (party) and ``p`` (process)."""
    if scope.nothing:
        return "AND 1 = 0", []
    if scope.everything:
        return "", []
    tids, bids = sorted(scope.township_ids) or [0], sorted(scope.body_ids) or [0]
    t_ph, b_ph = ", ".join(["%s"] * len(tids)), ", ".join(["%s"] * len(bids))
    body_table = Body._meta.db_table
    if group == "body":
        place = f"pa.body_id IN (SELECT id FROM {body_table} WHERE township_id IN ({t_ph}))"
    else:
        place = f"p.township_id IN ({t_ph})"
    return f"AND ({place} OR pa.body_id IN ({b_ph}))", [*tids, *bids]


def _counts(row: dict[str, Any]) -> dict[str, int]:
    return {c: int(row.get(c) or 0) for c in (*COUNTERS, conf.OVERDUE)}


def metrics(user, filters: Filters, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """Per unit (assignee body, or township): raw counts over the roll-ups of
    processes created in the date range, the live "overdue now", and the
    configured rates. Three queries whatever the number of units."""
    now = now or timezone.now()
    scope = scope_for(user)
    rates = conf.rates()
    key = "body_id" if filters.group == "body" else "township_id"
    qs = UnitDayStats.objects.filter(kind=filters.kind, day__gte=filters.date_from, day__lte=filters.date_to)
    q = _scope_q(scope, filters.group)
    if q is not None:
        qs = qs.filter(q)
    rows: dict[int, dict[str, Any]] = {
        r[key]: r for r in qs.values(key).annotate(**{c: Sum(c) for c in COUNTERS}).order_by()
    }
    extra_sql, extra_params = _scope_sql(scope, filters.group)
    sql, params = rollups.overdue_now_sql(filters.group, kind=filters.kind, now=now, extra_where=extra_sql,
                                          extra_params=extra_params)
    with connection.cursor() as cur:
        cur.execute(sql, params)
        for k, n in cur.fetchall():
            rows.setdefault(k, {key: k})[conf.OVERDUE] = n
    model = Body if filters.group == "body" else Township
    names = dict(model.objects.filter(pk__in=list(rows)).values_list("pk", "name"))
    out = []
    for k, r in rows.items():
        counts = _counts(r)
        out.append({"id": k, "name": names.get(k, _("（未关联乡镇）") if k == 0 else str(k)), "counts": counts,
                    "rates": [rate.parts(counts) for rate in rates]})
    out.sort(key=lambda r: (-r["counts"]["dispatched"], r["name"]))
    total = {c: sum(r["counts"][c] for r in out) for c in (*COUNTERS, conf.OVERDUE)}
    return {"filters": filters, "rates": rates, "rows": out,
            "totals": {"counts": total, "rates": [rate.parts(total) for rate in rates]}}


#: Up to this many processes behind a number, the drill-down reads their keys
#: first and fetches a page of them by key; beyond it, it walks the range's
#: processes newest first and keeps those behind the number (a few steps
#: per row when most of them are, as for "dispatched" over a city-year).
SMALL_DRILL = 5000


@dataclass(frozen=True)
class Drill:
    """The processes behind one number (:func:`drill_down`), newest first, and how many they are."""

    processes: QuerySet[Process]
    count: int


def drill_down(user, filters: Filters, *, metric: str, unit_id: int | None, now: dt.datetime | None = None
               ) -> Drill:
    """The processes behind one number of :func:`metrics` (``unit_id`` None:
    the totals row), newest first, within what ``user`` may see.

    At 10⁶ leads a number stands for a handful or for 900,000 processes; a
    single query shape was slow for one or the other (seconds on SQLite),
    so the count comes first — from the roll-up facts, or the few running
    overdue clocks — and picks the shape (:data:`SMALL_DRILL`). Unknown
    metric → ValueError."""
    if metric not in DRILLABLE:
        raise ValueError(metric)
    scope = scope_for(user)
    if scope.nothing:
        return Drill(Process.objects.none(), 0)
    key = "body_id" if filters.group == "body" else "township_id"
    if metric == conf.OVERDUE:
        now = now or timezone.now()
        overdue = ProcessDeadline.objects.filter(name__in=rollups.ASSIGNEE_CLOCKS, stopped_at__isnull=True,
                                                 paused_since__isnull=True, due_at__lt=now)
        parties = Party.objects.filter(process=OuterRef("pk"), role=rollups.ASSIGNEE, active=True)
        if filters.group == "body":
            if unit_id is not None:
                parties = parties.filter(body_id=unit_id)
            if not scope.everything:
                parties = parties.filter(Q(body__township_id__in=scope.township_ids) | Q(body_id__in=scope.body_ids))
        ids = list(overdue.order_by().values_list("process_id", flat=True).distinct()[:SMALL_DRILL + 1])
        if len(ids) <= SMALL_DRILL:
            qs = Process.objects.filter(pk__in=ids)
        else:
            qs = Process.objects.filter(Exists(overdue.filter(process=OuterRef("pk"))))
        qs = qs.filter(Exists(parties), kind=filters.kind)
        if filters.group == "township":
            if unit_id is not None:
                qs = qs.filter(township_id=unit_id or None)
            if not scope.everything:
                qs = qs.filter(Q(township_id__in=scope.township_ids) | Exists(
                    parties.filter(body_id__in=scope.body_ids)))
        count = qs.count()
    else:
        facts = UnitFact.objects.filter(kind=filters.kind, day__gte=filters.date_from, day__lte=filters.date_to,
                                        **{metric: 1})
        if unit_id is not None:
            facts = facts.filter(**{key: unit_id})
        q = _scope_q(scope, filters.group)
        if q is not None:
            facts = facts.filter(q)
        behind = facts.order_by().values_list("process_id", flat=True).distinct()
        count = behind.count()
        if count <= SMALL_DRILL:
            qs = Process.objects.filter(pk__in=list(behind))
        else:  # the facts' day is the process's local day of creation
            qs = Process.objects.filter(
                Exists(facts.filter(process_id=OuterRef("pk"))), kind=filters.kind,
                created_at__gte=rollups.local_midnight(filters.date_from),
                created_at__lt=rollups.local_midnight(filters.date_to + dt.timedelta(days=1)))
    return Drill(qs.select_related("township").order_by("-created_at", "-pk"), count)


def unit_name(group: str, unit_id: int | None) -> str:
    if unit_id is None:
        return _("合计")
    model = Body if group == "body" else Township
    return model.objects.filter(pk=unit_id).values_list("name", flat=True).first() or _("（未关联乡镇）")
