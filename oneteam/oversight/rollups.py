"""Keeping the roll-ups current, and rebuilding them from the raw rows.

One SQL ``SELECT`` (:func:`_facts_sql`) defines what every process counts for
each of its assignee bodies. The same statement is used

- incrementally, restricted to one process, by :func:`on_transition` (called
  by the kernel at the end of every action, inside its transaction): the new
  flags are compared with the stored :class:`~.models.UnitFact` rows and the
  difference is added to :class:`~.models.UnitDayStats` with one
  ``INSERT … ON CONFLICT DO UPDATE SET n = n + delta``;
- set-based, over every process, by :func:`rebuild` (``INSERT … SELECT``, then
  ``INSERT … SELECT … GROUP BY``).

So "roll-up equals a recount of the raw rows" holds by construction, and the
tests check it on random data. Conventions are documented in
``docs/metrics.md``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from oneteam.core.functions import fixed_utc_offset

from .models import COUNTERS, UnitDayStats, UnitFact

ASSIGNEE = "assignee"
SATISFIED_VALUES = ("very_satisfied", "satisfied")
#: Deadlines whose miss makes a closure late (the assignee's clocks and the verification).
CLOSURE_CLOCKS = ("response", "handling", "verify")
#: Deadlines an assignee answers for: "overdue now" counts processes with one of these running past due.
ASSIGNEE_CLOCKS = ("response", "handling")

FACT_TABLE = UnitFact._meta.db_table
STATS_TABLE = UnitDayStats._meta.db_table
KEY = ("day", "kind", "body_id", "township_id")


def _tables() -> dict[str, str]:
    from oneteam.workflow.models import Party, Process, ProcessDeadline, Transition

    return {"party": Party._meta.db_table, "process": Process._meta.db_table,
            "transition": Transition._meta.db_table, "deadline": ProcessDeadline._meta.db_table}


def _day_sql(column: str) -> str:
    """The local date of a stored datetime, in this database's SQL (the same
    rule as :class:`oneteam.core.functions.LocalDate` for the ORM)."""
    if connection.vendor == "postgresql":
        return f"(({column}) AT TIME ZONE '{settings.TIME_ZONE}')::date"
    if connection.vendor == "sqlite":  # stored as naive UTC text
        offset = fixed_utc_offset(settings.TIME_ZONE)
        if offset is None:  # summer time: Django's own function, per row
            return f"django_datetime_cast_date({column}, '{settings.TIME_ZONE}', 'UTC')"
        return f"date({column}, '{int(offset.total_seconds() // 60):+d} minutes')"
    raise NotImplementedError(connection.vendor)


def _quoted(values: Iterable[str]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def _facts_sql(where: str) -> str:
    """``SELECT process_id, body_id, kind, day, township_id, <COUNTERS…>`` for
    every assignee party matching ``where`` (SQL over the alias ``pa`` of the
    party table and ``p`` of the process table)."""
    t = _tables()
    inner = f"""
SELECT pa.process_id AS process_id, pa.body_id AS body_id, p.kind AS kind,
       {_day_sql('p.created_at')} AS day, COALESCE(p.township_id, 0) AS township_id,
       CASE WHEN pa.active THEN 0 ELSE 1 END AS returned,
       CASE WHEN EXISTS (SELECT 1 FROM {t['transition']} t WHERE t.process_id = pa.process_id
                         AND t.body_id = pa.body_id AND t.counts_as = 'response') THEN 1 ELSE 0 END AS responded,
       CASE WHEN EXISTS (SELECT 1 FROM {t['transition']} t JOIN {t['deadline']} d
                           ON d.process_id = t.process_id AND d.name = 'response' AND d.stopped_at = t.at
                         WHERE t.process_id = pa.process_id AND t.body_id = pa.body_id
                           AND t.counts_as = 'response' AND d.met_on_time) THEN 1 ELSE 0 END AS responded_on_time,
       CASE WHEN EXISTS (SELECT 1 FROM {t['transition']} t WHERE t.process_id = pa.process_id
                         AND t.body_id = pa.body_id AND t.counts_as = 'handling') THEN 1 ELSE 0 END AS handled,
       CASE WHEN EXISTS (SELECT 1 FROM {t['deadline']} d WHERE d.process_id = pa.process_id
                         AND d.name = 'handling' AND NOT d.met_on_time) THEN 1 ELSE 0 END AS handling_missed,
       CASE WHEN EXISTS (SELECT 1 FROM {t['deadline']} d WHERE d.process_id = pa.process_id
                         AND d.name IN ({_quoted(CLOSURE_CLOCKS)}) AND NOT d.met_on_time)
            THEN 1 ELSE 0 END AS clock_missed,
       CASE WHEN EXISTS (SELECT 1 FROM {t['transition']} t WHERE t.process_id = pa.process_id
                         AND t.counts_as = 'rework') THEN 1 ELSE 0 END AS any_rework,
       CASE WHEN EXISTS (SELECT 1 FROM {t['transition']} t WHERE t.process_id = pa.process_id
                         AND t.counts_as = 'close') THEN 1 ELSE 0 END AS any_close,
       p.satisfaction AS satisfaction
FROM {t['party']} pa JOIN {t['process']} p ON p.id = pa.process_id
WHERE pa.role = '{ASSIGNEE}' AND ({where})"""
    sat = _quoted(SATISFIED_VALUES)
    return f"""
SELECT x.process_id, x.body_id, x.kind, x.day, x.township_id,
       1 AS dispatched,
       x.returned,
       x.responded,
       x.responded_on_time,
       x.handled,
       CASE WHEN x.handled = 1 AND x.handling_missed = 0 THEN 1 ELSE 0 END AS handled_on_time,
       CASE WHEN x.handled = 1 AND x.any_rework = 1 THEN 1 ELSE 0 END AS reworked,
       CASE WHEN x.handled = 1 AND x.any_close = 1 THEN 1 ELSE 0 END AS closed,
       CASE WHEN x.handled = 1 AND x.any_close = 1 AND x.clock_missed = 0 THEN 1 ELSE 0 END AS closed_on_time,
       CASE WHEN x.handled = 1 AND x.satisfaction <> '' THEN 1 ELSE 0 END AS visits,
       CASE WHEN x.handled = 1 AND x.satisfaction IN ({sat}) THEN 1 ELSE 0 END AS satisfied
FROM ({inner}) x"""


FACT_COLUMNS = ("process_id", "body_id", "kind", "day", "township_id", *COUNTERS)


# --------------------------------------------------------------------------
# Incremental: one process, inside the kernel's transaction
# --------------------------------------------------------------------------


def on_transition(transition, *, process=None, deadlines: list | None = None,
                  stopped_deadlines: list | None = None, parties: list | None = None) -> None:
    """The kernel's after-action hook (``oneteam.workflow.hooks``), called at
    the end of ``start_process`` and of every ``perform`` (after the deadline
    updates), inside the same transaction.

    Recomputes the process's facts with the set-based statement restricted to
    the process, and adds the difference to the day's roll-up. Idempotent:
    calling it twice for the same state adds nothing. The changed deadlines
    are accepted but not needed (the statement reads them from the database).
    Costs nothing at a start without assignees (every intake: the kernel
    passes the new ``parties``), one small query for an action while there is
    no assignee, about six otherwise."""
    if parties is not None and not any(p.role == ASSIGNEE for p in parties):
        return  # a process just started with nobody to count
    refresh_process(transition.process_id if process is None else process.pk)


def _to_date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def refresh_process(process_id: int) -> int:
    """Bring the facts and roll-ups of one process up to date; returns the
    number of bodies whose counts changed."""
    t = _tables()
    with connection.cursor() as cur:
        # Parties are never deleted: no assignee now means nothing ever counted.
        # A plain look-up first spares every intake the planning of the big statement.
        cur.execute(f"SELECT 1 FROM {t['party']} WHERE process_id = %s AND role = %s LIMIT 1", [process_id, ASSIGNEE])
        if cur.fetchone() is None:
            return 0
        cur.execute(_facts_sql("pa.process_id = %s"), [process_id])
        new = {row[1]: row for row in cur.fetchall()}
        cur.execute(f"SELECT {', '.join(FACT_COLUMNS)} FROM {FACT_TABLE} WHERE process_id = %s", [process_id])
        old = {row[1]: row for row in cur.fetchall()}
    changes: list[tuple[tuple, list[int]]] = []
    for body_id in sorted(set(new) | set(old)):
        n, o = new.get(body_id), old.get(body_id)
        n_counts = list(n[5:]) if n else [0] * len(COUNTERS)
        o_counts = list(o[5:]) if o else [0] * len(COUNTERS)
        delta = [a - b for a, b in zip(n_counts, o_counts, strict=True)]
        if any(delta):
            ref = n or o
            changes.append(((_to_date(ref[3]), ref[2], body_id, ref[4]), delta))
    if not changes:
        return 0
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"DELETE FROM {FACT_TABLE} WHERE process_id = %s", [process_id])
        placeholders = ", ".join(["%s"] * len(FACT_COLUMNS))
        cur.executemany(f"INSERT INTO {FACT_TABLE} ({', '.join(FACT_COLUMNS)}) VALUES ({placeholders})",
                        [[*r[:3], _to_date(r[3]), *r[4:]] for r in new.values()])
        _add(cur, changes)
    return len(changes)


def _add(cur, changes: list[tuple[tuple, list[int]]]) -> None:
    """``INSERT … ON CONFLICT (key) DO UPDATE SET n = n + excluded.n`` for each
    (key, delta); keys in a fixed order so concurrent writers never deadlock."""
    cols = (*KEY, *COUNTERS)
    sets = ", ".join(f"{c} = {STATS_TABLE}.{c} + excluded.{c}" for c in COUNTERS)
    sql = (f"INSERT INTO {STATS_TABLE} ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))}) "
           f"ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET {sets}")
    for key, delta in sorted(changes, key=lambda c: (c[0][0], c[0][1], c[0][2], c[0][3])):
        cur.execute(sql, [*key, *delta])


# --------------------------------------------------------------------------
# Set-based: rebuild from the raw rows
# --------------------------------------------------------------------------


def db_datetime(value: dt.datetime) -> Any:
    """A datetime as this backend stores it (naive UTC text on SQLite), for raw SQL."""
    return connection.ops.adapt_datetimefield_value(value)


def local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()), timezone.get_default_timezone())


@transaction.atomic
def rebuild(since: dt.date | None = None) -> dict[str, Any]:
    """Recompute facts and roll-ups of processes created on or after the
    local date ``since`` (all when None) from the kernel's rows, with two
    set-based statements. Idempotent. Used after bulk generation, after a
    change of counting convention, and by the tests as the reference."""
    params: list[Any] = []
    where = "1 = 1"
    with connection.cursor() as cur:
        if since is not None:
            where = "p.created_at >= %s"
            params = [db_datetime(local_midnight(since))]
            cur.execute(f"DELETE FROM {FACT_TABLE} WHERE day >= %s", [since])
            cur.execute(f"DELETE FROM {STATS_TABLE} WHERE day >= %s", [since])
        else:
            cur.execute(f"DELETE FROM {FACT_TABLE}")
            cur.execute(f"DELETE FROM {STATS_TABLE}")
        cur.execute(f"INSERT INTO {FACT_TABLE} ({', '.join(FACT_COLUMNS)}) {_facts_sql(where)}", params)
        facts = cur.rowcount
        sums = ", ".join(f"SUM({c})" for c in COUNTERS)
        day_filter = "WHERE day >= %s" if since is not None else ""
        cur.execute(
            f"INSERT INTO {STATS_TABLE} ({', '.join((*KEY, *COUNTERS))}) "
            f"SELECT {', '.join(KEY)}, {sums} FROM {FACT_TABLE} {day_filter} GROUP BY {', '.join(KEY)}",
            [since] if since is not None else [])
        stats = cur.rowcount
    return {"facts": facts, "stats": stats}


def recount(kind: str | None = None) -> dict[tuple, tuple[int, ...]]:
    """The roll-up recomputed from the raw rows without touching the tables:
    key → counters. What the tests compare :class:`UnitDayStats` with."""
    where = "p.kind = %s" if kind else "1 = 1"
    sums = ", ".join(f"SUM(f.{c})" for c in COUNTERS)
    with connection.cursor() as cur:
        cur.execute(f"SELECT f.day, f.kind, f.body_id, f.township_id, {sums} FROM ({_facts_sql(where)}) f "
                    f"GROUP BY f.day, f.kind, f.body_id, f.township_id", [kind] if kind else [])
        return {(_to_date(r[0]), r[1], r[2], r[3]): tuple(int(v) for v in r[4:]) for r in cur.fetchall()}


def stored(kind: str | None = None) -> dict[tuple, tuple[int, ...]]:
    """The stored roll-up, in the shape of :func:`recount` (all-zero rows left out)."""
    qs = UnitDayStats.objects.all()
    if kind:
        qs = qs.filter(kind=kind)
    out = {}
    for row in qs.values_list(*KEY, *COUNTERS):
        if any(row[4:]):
            out[(row[0], row[1], row[2], row[3])] = tuple(row[4:])
    return out


# --------------------------------------------------------------------------
# Live: overdue now
# --------------------------------------------------------------------------


def overdue_now_sql(group: str, *, kind: str, now: dt.datetime, extra_where: str = "",
                    extra_params: Iterable[Any] = ()) -> tuple[str, list[Any]]:
    """Processes of ``kind`` with a running (open, not paused) assignee clock
    past due, per active assignee body (``group="body"``) or per township.
    Served by the kernel's ``workflow_deadline_open`` index
    (name, stopped_at, due_at): an index range per clock name."""
    t = _tables()
    col = "pa.body_id" if group == "body" else "COALESCE(p.township_id, 0)"
    # The few overdue clocks first (materialised), then index look-ups per row.
    # PostgreSQL cannot tell how few: it estimates "due before now" over every
    # clock ever run, not over the running ones (at 10⁶ leads 30,000 for
    # 1,400), and then hash-joined all 10⁶ processes (330 ms instead of ~20).
    # So each one's kind and township are read by a scalar subquery, which
    # is a key look-up per row whatever the estimate; the CTE is named ``p``
    # so ``extra_where`` reads ``p.township_id`` as from the table.
    sql = f"""
WITH od AS MATERIALIZED (
  SELECT DISTINCT d.process_id FROM {t["deadline"]} d
  WHERE d.name IN ({_quoted(ASSIGNEE_CLOCKS)}) AND d.stopped_at IS NULL AND d.paused_since IS NULL
    AND d.due_at < %s),
p AS MATERIALIZED (
  SELECT od.process_id AS id,
         (SELECT x.kind FROM {t["process"]} x WHERE x.id = od.process_id) AS kind,
         (SELECT x.township_id FROM {t["process"]} x WHERE x.id = od.process_id) AS township_id
  FROM od)
SELECT {col} AS k, COUNT(DISTINCT p.id)
FROM p
JOIN {t["party"]} pa ON pa.process_id = p.id AND pa.role = '{ASSIGNEE}' AND pa.active
WHERE p.kind = %s {extra_where}
GROUP BY {col}"""
    return sql, [db_datetime(now), kind, *extra_params]
