"""A synthetic city-year of leads, written in bulk (``oneteam generate-city``).

Fills a database that already holds the Rui'an demo (``oneteam demo
--no-serve``) with ``n`` leads of one year: the kernel rows (process, parties,
transitions, deadlines) and the ``command.Event`` record of each, shaped as
the kernel would have written them for the same history — numbers continuing
the ``NumberSequence``, points inside real demo grids, categories and clocks
from the demo, due times from the real working-day calendar — then rebuilds the
roll-ups (:func:`oneteam.oversight.rollups.rebuild`).

What is *not* like the kernel, on purpose:

- no ledger entries: synthetic data is outside the full-process record
  (``Transition.ledger_seq`` is empty, ``Process.data["synthetic"]`` is true),
  so ``verify-ledger`` is unaffected and the rows are easy to find and drop;
- due times are exact, but the stored explanation of an hour-based clock is a
  short one (``"synthetic": true``) rather than the engine's full text;
- no attachments, notifications or duplicate suggestions.

Speed: rows are built as tuples and written with ``executemany`` in batches;
the calendar is consulted once per (period, start day) for day-based clocks,
and through the engine's office-time index for hour-based ones — never a loop
over days per row.
"""

from __future__ import annotations

import datetime as dt
import json
import queue
import random
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from shapely.geometry import shape

from oneteam.command.models import reported_days
from oneteam.core.i18n import record_text
from oneteam.workflow import services as kernel
from oneteam.workflow.declare import START_LABEL
from oneteam.worktime.engine import Pause, Period, PeriodKind

LOCAL = dt.timezone(dt.timedelta(hours=8))  # Asia/Shanghai, no DST since 1991
EIGHT = dt.timedelta(hours=8)
H = dt.timedelta(hours=1)
DAY_KINDS = frozenset(k.value for k in PeriodKind if k.is_days)


def aware(value: dt.datetime) -> dt.datetime:
    """Generation runs on naive local times (cheap); the engine wants aware ones."""
    return value.replace(tzinfo=LOCAL)


def naive(value: dt.datetime) -> dt.datetime:
    return value.astimezone(LOCAL).replace(tzinfo=None)

CHANNELS = [("grid_patrol", 35), ("hotline", 25), ("four_platforms", 15), ("staff_discovery", 10),
            ("inspection", 7), ("department_referral", 4), ("external_system", 4)]
SATISFACTION = [("very_satisfied", 45), ("satisfied", 40), ("neutral", 10), ("dissatisfied", 5)]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑金叶潘"
DETAILS = ["群众反映", "巡查发现", "多次出现", "影响通行", "影响市容", "夜间多发", "周边居民投诉", "存在安全隐患"]

# Rates of the simulated history (shares of leads).
P_CANCEL, P_MERGE, P_COORDINATE, P_RETURN = 0.04, 0.015, 0.03, 0.04
P_SUSPEND, P_REWORK, P_EVALUATE, P_URGENT, P_STUCK = 0.03, 0.05, 0.70, 0.08, 0.004
P_LATE_RESPONSE, P_LATE_HANDLING, P_LATE_VERIFY, P_LATE_DISPATCH = 0.08, 0.10, 0.05, 0.04


def _weighted(rng: random.Random, items: list[tuple[str, int]]) -> str:
    return rng.choices([i for i, _ in items], weights=[w for _, w in items])[0]


# --------------------------------------------------------------------------
# Clocks without per-row calendar loops
# --------------------------------------------------------------------------


class Clocks:
    """Due times and explanations as the kernel stores them, cheaply:
    day-based periods are cached per (period, start day) — their due time and
    explanation depend only on the start date; hour-based ones use the engine's
    office-time index (working hours) or plain addition (natural hours)."""

    def __init__(self) -> None:
        from oneteam.worktime.engine import _HOUR_US
        from oneteam.worktime.services import get_calendar

        self.cal = get_calendar()
        self.hour_us = _HOUR_US
        self._days: dict[tuple, tuple[dt.datetime, str]] = {}

    def due(self, kind: str, amount: int, start: dt.datetime) -> tuple[dt.datetime, str]:
        """(due, explanation JSON) for a clock started at ``start`` (naive local time)."""
        if kind in DAY_KINDS:
            key = (kind, amount, start.date())
            hit = self._days.get(key)
            if hit is None:
                d = self.cal.deadline(aware(start), Period(PeriodKind(kind), amount))
                hit = (naive(d.due), json.dumps(d.to_dict(), ensure_ascii=False))
                self._days[key] = hit
            return hit
        if kind == PeriodKind.WORKING_HOURS.value:
            due = naive(self.cal._w_inverse(self.cal._w(start) + amount * self.hour_us)) if amount else start
            rule = f"自{start:%Y-%m-%d %H:%M}起按工作时间计算{amount}小时。"
        else:
            due = start + amount * H
            rule = f"自{start:%Y-%m-%d %H:%M}起计算{amount}小时(自然时间)。"
        return due, json.dumps({"due": f"{due.isoformat()}+08:00", "due_display": f"{due:%Y-%m-%d %H:%M}",
                                "start": f"{start.isoformat()}+08:00", "kind": kind, "amount": amount,
                                "rule": rule, "explanation": [rule], "synthetic": True}, ensure_ascii=False)

    def due_with_pause(self, kind: str, amount: int, start: dt.datetime, pause: tuple, now: dt.datetime
                       ) -> tuple[dt.datetime, str]:
        """The rare suspended clock: the full engine, as the kernel does."""
        a, b, reason = pause
        d = self.cal.deadline(aware(start), Period(PeriodKind(kind), amount),
                              pauses=[Pause(aware(a), aware(b) if b else None, reason)], now=aware(now))
        return naive(d.due), json.dumps(d.to_dict(), ensure_ascii=False)


# --------------------------------------------------------------------------
# The demo city, loaded once
# --------------------------------------------------------------------------


@dataclass
class Place:
    grid_id: int
    village_id: int
    township_id: int
    name: str
    geom: Any
    bounds: tuple[float, float, float, float]


@dataclass
class City:
    places: list[Place]
    categories: list[Any]
    room: dict[int, Any]  # township → command room (None: the centre dispatches)
    centre: Any
    handlers: dict[int, list[Any]]  # township → bodies a lead can be dispatched to
    committees: dict[int, list[Any]]
    proposal: dict[tuple[int, int], tuple[Any, list[str]]]  # (category, township) → (body, reasons)
    users: dict[int, tuple[int | None, str]]  # body → (user id, name) acting for it
    departments: list[Any]
    hotline: Any = None
    township_names: dict[int, str] = field(default_factory=dict)


def load_city(on: dt.date, *, resolve: bool = True) -> City:
    from oneteam.command.handlers import HANDLING_KINDS
    from oneteam.command.models import EventCategory, ExternalSystem
    from oneteam.command.services import propose
    from oneteam.org.choices import BodyKind
    from oneteam.org.models import Body, Grid, Township, User

    places = []
    for g in Grid.objects.select_related("village__township").order_by("code"):
        geom = shape(g.geometry)
        shapely.prepare(geom)
        places.append(Place(g.pk, g.village_id, g.village.township_id, f"{g.village.township.name}{g.village.name}",
                            geom, geom.bounds))
    if not places:
        raise RuntimeError(_("没有网格：请先运行 `oneteam demo --no-serve` 载入演示数据。"))
    categories = list(EventCategory.objects.filter(active=True).order_by("code"))
    if not categories:
        raise RuntimeError(_("没有事件类别：请先运行 `oneteam demo --no-serve`。"))
    bodies = list(Body.objects.filter(is_active=True).order_by("code"))
    centre = next((b for b in bodies if b.kind == BodyKind.COMMAND_CENTRE), None)
    if centre is None:
        raise RuntimeError(_("未配置市行政执法指挥中心。"))
    room: dict[int, Any] = {}
    handlers: dict[int, list[Any]] = defaultdict(list)
    committees: dict[int, list[Any]] = defaultdict(list)
    for b in bodies:
        if b.township_id is None:
            continue
        if b.kind == BodyKind.TOWNSHIP_COMMAND_ROOM:
            room.setdefault(b.township_id, b)
        if b.kind in HANDLING_KINDS:
            handlers[b.township_id].append(b)
        if b.kind == BodyKind.VILLAGE_COMMITTEE:
            committees[b.township_id].append(b)
    townships = list(Township.objects.order_by("code"))
    proposal: dict[tuple[int, int], tuple[Any, list[str]]] = {}
    by_pk = {b.pk: b for b in bodies}
    for t in townships:
        for c in categories:
            body, reasons = propose(c, t, None, None, on) if resolve else (None, ["合成数据：未调用职责判定"])
            body = by_pk.get(getattr(body, "pk", None))
            if body is None:  # fall back to the township's enforcement team (or any handling body)
                team = [b for b in handlers.get(t.pk, []) if b.kind == BodyKind.ENFORCEMENT_TEAM]
                body = (team or handlers.get(t.pk) or [None])[0]
            proposal[(c.pk, t.pk)] = (body, [str(r) for r in reasons])
    users: dict[int, tuple[int | None, str]] = {}
    for u in User.objects.filter(is_active=True, body__isnull=False).order_by("pk"):
        users.setdefault(u.body_id, (u.pk, u.get_full_name() or u.get_username()))
    departments = [b for b in bodies if b.kind == BodyKind.DEPARTMENT]
    hotline = ExternalSystem.objects.filter(active=True).select_related("body").order_by("pk").first()
    return City(places, categories, room, centre, handlers, committees, proposal, users, departments, hotline,
                {t.pk: t.name for t in townships})


def sample_points(city: City, counts: dict[int, int], rng: np.random.Generator) -> dict[int, list]:
    """``counts[i]`` random points inside place ``i``'s polygon (vectorised rejection sampling)."""
    out: dict[int, list] = {}
    for i, n in counts.items():
        place = city.places[i]
        x0, y0, x1, y1 = place.bounds
        got: list[tuple[float, float]] = []
        while len(got) < n:
            m = max(16, int((n - len(got)) * 2.5))
            xs, ys = rng.uniform(x0, x1, m), rng.uniform(y0, y1, m)
            inside = shapely.contains_xy(place.geom, xs, ys)
            got.extend(zip(np.round(xs[inside], 6).tolist(), np.round(ys[inside], 6).tolist(), strict=True))
        out[i] = got[:n]
    return out


# --------------------------------------------------------------------------
# Rows
# --------------------------------------------------------------------------

PROCESS_COLS = ("id", "kind", "number", "title", "state", "version", "created_by_id", "created_by_name",
                "created_at", "updated_at", "closed_at", "satisfaction", "data", "initiator_body_id", "township_id",
                "next_due")
EVENT_COLS = ("process_id", "channel", "category_id", "matter_code", "description", "urgency", "occurred_at", "lng",
              "lat", "address", "township_id", "village_id", "grid_id", "reporter_name", "reporter_phone",
              "reporter_user_id", "external_system_id", "external_id", "idempotency_source", "idempotency_key",
              "proposed_body_id", "proposal_reasons", "handling_body_id", "route_reason", "dissuaded",
              "dissuasion_outcome", "coordination_kind", "duplicate_of_id", "result", "check_requested_at",
              "checked_at", "check_passed")
PARTY_COLS = ("id", "process_id", "body_id", "role", "active", "added_at", "removed_at")
TRANSITION_COLS = ("id", "process_id", "seq", "action", "action_label", "counts_as", "from_state", "to_state",
                   "actor_id", "actor_name", "body_id", "body_name", "at", "reason", "data", "officers", "ledger_seq")
DEADLINE_COLS = ("id", "process_id", "name", "period_kind", "period_amount", "started_at", "due_at", "explanation",
                 "pauses", "paused_since", "pause_reason", "extensions", "extension_count", "stopped_at",
                 "met_on_time", "superseded", "started_by_id")


def _models():
    from oneteam.command.models import Event
    from oneteam.workflow.models import Party, Process, ProcessDeadline, Transition

    return {"process": (Process, PROCESS_COLS), "event": (Event, EVENT_COLS), "party": (Party, PARTY_COLS),
            "transition": (Transition, TRANSITION_COLS), "deadline": (ProcessDeadline, DEADLINE_COLS)}


def check_columns() -> None:
    """Fail loudly if a kernel or command model gained or lost a column."""
    for name, (model, cols) in _models().items():
        actual = {f.column for f in model._meta.concrete_fields}
        if actual != set(cols):
            raise RuntimeError(f"generate-city: {name} columns changed: +{actual - set(cols)} -{set(cols) - actual}")


class Ids:
    def __init__(self) -> None:
        self.next: dict[str, int] = {}
        with connection.cursor() as cur:
            for name, (model, _cols) in _models().items():
                if name == "event":
                    continue
                cur.execute(f"SELECT MAX(id) FROM {model._meta.db_table}")
                self.next[name] = (cur.fetchone()[0] or 0) + 1

    def take(self, name: str) -> int:
        n = self.next[name]
        self.next[name] = n + 1
        return n


@dataclass
class Batch:
    process: list = field(default_factory=list)
    event: list = field(default_factory=list)
    party: list = field(default_factory=list)
    transition: list = field(default_factory=list)
    deadline: list = field(default_factory=list)

    def rows(self) -> int:
        return sum(len(x) for x in (self.process, self.event, self.party, self.transition, self.deadline))


class Writer:
    """Writes batches with ``executemany``; datetimes converted once, the way
    the backend stores them (naive UTC text on SQLite)."""

    def __init__(self) -> None:
        self.vendor = connection.vendor
        m = _models()
        self.sql = {}
        for name, (model, cols) in m.items():
            ph = ", ".join(["%s"] * len(cols))
            self.sql[name] = f"INSERT INTO {model._meta.db_table} ({', '.join(cols)}) VALUES ({ph})"

    def dt(self, value: dt.datetime | None):
        """A naive local time as the backend stores it."""
        if value is None:
            return None
        if self.vendor == "sqlite":
            return str(value - EIGHT)
        return value.replace(tzinfo=LOCAL)

    def write(self, batch: Batch) -> None:
        if self.vendor == "sqlite" and not getattr(connection, "_oneteam_bulk", False):
            with connection.cursor() as cur:
                cur.execute("PRAGMA cache_size = -262144")  # 256 MB page cache while bulk loading
            connection._oneteam_bulk = True
        with transaction.atomic(), connection.cursor() as cur:
            for name in ("process", "event", "party", "transition", "deadline"):
                rows = getattr(batch, name)
                if not rows:
                    continue
                if self.vendor == "postgresql":  # COPY: one stream per table, ~10× executemany
                    model, cols = _models()[name]
                    with cur.cursor.copy(f"COPY {model._meta.db_table} ({', '.join(cols)}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
                else:
                    cur.executemany(self.sql[name], rows)


class _Sink:
    def __init__(self, writer: Writer, progress) -> None:
        self.writer, self.progress = writer, progress

    def put(self, batch: Batch) -> None:
        self.writer.write(batch)
        if self.progress:
            self.progress(len(batch.process))

    def close(self) -> None:
        pass


class _ThreadedSink(_Sink):
    """Writes in a second thread (its own connection) while the next batch is
    built: SQLite and psycopg release the GIL while the database works."""

    def __init__(self, writer: Writer, progress) -> None:
        super().__init__(writer, progress)
        self.queue: queue.Queue = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._loop, name="generate-city-writer", daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        try:
            while (batch := self.queue.get()) is not None:
                if self.error is None:
                    super().put(batch)
        except BaseException as exc:  # re-raised in the main thread
            self.error = exc
            while self.queue.get() is not None:
                pass
        finally:
            connection.close()

    def put(self, batch: Batch) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put(batch)

    def close(self) -> None:
        self.queue.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error


# --------------------------------------------------------------------------
# One lead's history
# --------------------------------------------------------------------------


class Generator:
    def __init__(self, *, events: int, year: int, seed: int = 1, batch: int = 10_000,
                 now: dt.datetime | None = None, threaded: bool = True, resolve: bool = True) -> None:
        """``threaded``: build rows while the previous batch is written (a second
        database connection; off inside a test transaction). ``resolve``: ask the
        competence resolver for each (category, township) proposal; off, the
        township's enforcement team is proposed (fast, for tests)."""
        from oneteam.workflow.declare import get_flow

        self.n, self.year, self.batch_size = events, year, batch
        self.threaded, self.resolve = threaded, resolve
        self.rng = random.Random(seed)
        self.np_rng = np.random.default_rng(seed)
        real_now = naive(now or timezone.now())
        self.now = min(real_now, dt.datetime(year, 12, 31, 23, 59))
        self.start = dt.datetime(year, 1, 1)
        if self.now <= self.start:
            raise ValueError(_("%(y)s 年尚未开始") % {"y": year})
        self.flow = get_flow("event")
        self.labels = {a.name: record_text(a.label) for a in self.flow.actions} | {"start": record_text(START_LABEL)}
        self.counts_as = {a.name: a.counts_as or "" for a in self.flow.actions} | {"start": ""}
        self._periods: dict[tuple, tuple[str, int]] = {}
        self.clocks = Clocks()
        self.writer = Writer()

    # -- helpers ---------------------------------------------------------

    def _period(self, cat, which: str, urgency: str) -> tuple[str, int]:
        key = (cat.pk, which, urgency)
        hit = self._periods.get(key)
        if hit is None:
            p = cat.period(which, urgency)
            hit = self._periods[key] = (getattr(p.kind, "value", p.kind), p.amount)
        return hit

    def _created_times(self, n: int) -> list[dt.datetime]:
        """Creation instants over the year up to now: more on working days, by day-time hour."""
        span = (self.now - self.start).total_seconds()
        out = []
        hours = list(range(24))
        weights = [1, 1, 1, 1, 1, 2, 4, 8, 12, 14, 14, 12, 8, 10, 12, 12, 11, 9, 7, 6, 5, 4, 2, 1]
        rng = self.rng
        while len(out) < n:
            t = self.start + dt.timedelta(seconds=rng.random() * span)
            if t.weekday() >= 5 and rng.random() < 0.35:
                continue
            h = rng.choices(hours, weights)[0]
            t = t.replace(hour=h, minute=rng.randrange(60), second=rng.randrange(60), microsecond=0)
            if self.start <= t < self.now - dt.timedelta(minutes=5):
                out.append(t)
        out.sort()
        return out

    # -- the generation --------------------------------------------------

    def run(self, progress: Callable[[int], None] | None = None) -> dict[str, Any]:
        check_columns()
        city = load_city(self.now.date(), resolve=self.resolve)
        self.city = city
        ids = Ids()
        created = self._created_times(self.n)
        place_idx = [self.rng.randrange(len(city.places)) for _ in range(self.n)]
        need: dict[int, int] = defaultdict(int)
        for i in place_idx:
            need[i] += 1
        points = sample_points(city, need, self.np_rng)
        cursors: dict[int, int] = defaultdict(int)
        with transaction.atomic():
            first_number = kernel.reserve_numbers(self.flow, self.year, self.n)
        totals: dict[str, int] = defaultdict(int)
        sink = _ThreadedSink(self.writer, progress) if self.threaded else _Sink(self.writer, progress)
        batch = Batch()
        last_open: dict[int, int] = {}
        try:
            for k in range(self.n):
                pi = place_idx[k]
                lng, lat = points[pi][cursors[pi]]
                cursors[pi] += 1
                self._lead(batch, ids, city, first_number + k, created[k], city.places[pi], lng, lat, totals,
                           last_open)
                if len(batch.process) >= self.batch_size:
                    totals["rows"] += batch.rows()
                    sink.put(batch)
                    batch = Batch()
            if batch.process:
                totals["rows"] += batch.rows()
                sink.put(batch)
        finally:
            sink.close()
        self._fix_sequences()
        # Leads of past days went in without signals: running servers drop their memoised wall days.
        reported_days.changed()
        return dict(totals)

    def _fix_sequences(self) -> None:
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cur:
            for name, (model, _cols) in _models().items():
                if name == "event":
                    continue
                table = model._meta.db_table
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"COALESCE((SELECT MAX(id) FROM {table}), 1))")

    def _lead(self, b: Batch, ids: Ids, city: City, number: int, t0: dt.datetime, place: Place,
              lng: float, lat: float, totals: dict, last_open: dict) -> None:
        rng, w = self.rng, self.writer
        labels, counts_as = self.labels, self.counts_as
        now = self.now
        cat = city.categories[rng.randrange(len(city.categories))]
        tid = place.township_id
        room = city.room.get(tid) if cat.level == "township" else None
        initiator = room or city.centre
        urgency = "urgent" if rng.random() < P_URGENT else "normal"
        channel = _weighted(rng, CHANNELS)
        pid = ids.take("process")
        stuck_at = rng.randrange(2, 12) if rng.random() < P_STUCK else 99

        transitions: list[tuple] = []
        deadlines: dict[str, list] = {}  # name → the open row (a list, patched when stopped)
        all_deadlines: list[list] = []
        parties: dict[tuple[int, str], list] = {}
        state = "reported"
        closed_at = None
        satisfaction = ""
        handling_body = None
        route_reason = ""
        coordination = ""
        result = ""
        duplicate_of = None
        last_at = [t0]

        def actor_for(body) -> tuple[int | None, str]:
            return city.users.get(body.pk, (None, f"{body.short_name or body.name}工作人员"))

        def add_party(body, role, at):
            key = (body.pk, role)
            if key in parties:
                row = parties[key]
                row[4], row[5], row[6] = True, w.dt(at), None
            else:
                parties[key] = [ids.take("party"), pid, body.pk, role, True, w.dt(at), None]

        def remove_party(body, role, at):
            row = parties.get((body.pk, role))
            if row is not None and row[4]:
                row[4], row[6] = False, w.dt(at)

        def step(action: str, at: dt.datetime, body, to_state: str, data: dict | None = None,
                 reason: str = "") -> int:
            nonlocal state
            tr_id = ids.take("transition")
            actor_id, actor_name = (None, "系统") if action == "start" else actor_for(body)
            transitions.append((tr_id, pid, len(transitions) + 1, action, labels[action],
                                counts_as[action], "" if action == "start" else state, to_state, actor_id,
                                actor_name, body.pk, body.name, w.dt(at), reason,
                                json.dumps(data or {}, ensure_ascii=False), "[]", None))
            state = to_state
            last_at[0] = at
            return tr_id

        def start_clock(name: str, kind: str, amount: int, at: dt.datetime, tr_id: int) -> dt.datetime:
            running = deadlines.get(name)
            if running is not None:  # restarted: superseded
                running[13], running[15] = w.dt(at), True
            due, expl = self.clocks.due(kind, amount, at)
            row = [ids.take("deadline"), pid, name, kind, amount, w.dt(at), w.dt(due), expl, "[]", None, "", "[]",
                   0, None, None, False, tr_id]
            row += [due, at]  # [17], [18]: the aware due and start, dropped before writing
            deadlines[name] = row
            all_deadlines.append(row)
            return due

        def stop_clock(name: str, at: dt.datetime) -> None:
            row = deadlines.pop(name, None)
            if row is not None:
                row[13], row[14] = w.dt(at), at <= row[17]

        def period(which: str) -> tuple[str, int]:
            return self._period(cat, which, urgency)

        def later(at: dt.datetime, hours: float) -> dt.datetime:
            return (at + dt.timedelta(hours=hours)).replace(microsecond=0)

        def on_time_or_late(start: dt.datetime, due: dt.datetime, p_late: float, late_hours: float) -> dt.datetime:
            if rng.random() < p_late:
                return later(due, rng.expovariate(1 / late_hours) + 0.05)
            span = max((due - start).total_seconds() / 3600, 0.05)
            return later(start, span * rng.uniform(0.05, 0.95))

        def alive(at: dt.datetime, n: int) -> bool:
            return at < now and n < stuck_at

        # --- start
        tr = step("start", t0, initiator, "reported", {"channel": channel, "synthetic": True})
        add_party(initiator, "initiator", t0)
        reporter = None
        if channel in ("grid_patrol", "four_platforms") and city.committees.get(tid):
            reporter = rng.choice(city.committees[tid])
        elif channel in ("hotline", "external_system"):
            reporter = city.hotline.body if city.hotline is not None else city.centre
        if reporter is not None and reporter.pk != initiator.pk:
            add_party(reporter, "copied", t0)
        if initiator.pk != city.centre.pk:
            add_party(city.centre, "supervisor", t0)
        dk, da = period("dispatch")
        dispatch_due = start_clock("dispatch", dk, da, t0, tr)

        proposed, reasons = city.proposal.get((cat.pk, tid), (None, []))
        n_steps = 1
        t = later(t0, rng.expovariate(1 / 0.4) + 0.02)
        r = rng.random()
        if r < P_CANCEL + P_MERGE and alive(t, n_steps):
            if r < P_MERGE and tid in last_open:
                duplicate_of = last_open[tid]
                step("merge", t, initiator, "merged", {"duplicate_of": duplicate_of})
            else:
                step("cancel", t, initiator, "cancelled", reason="不属于受理范围")
            stop_clock("dispatch", t)
            closed_at = t
        elif alive(t, n_steps):
            n_steps += 1
            step("file", t, initiator, "filed", {"conditions": cat.filing_conditions})
            candidates = city.handlers.get(tid) or ([proposed] if proposed else [])
            body = proposed or (candidates[0] if candidates else None)
            dispatcher = initiator
            # Dispatch (or coordination first), possibly returned once and re-dispatched elsewhere.
            if rng.random() < P_LATE_DISPATCH:
                t = later(max(t, dispatch_due), rng.expovariate(1 / 3) + 0.05)
            else:
                t = later(t, rng.expovariate(1 / 0.3) + 0.02)
            if rng.random() < P_COORDINATE and initiator.pk != city.centre.pk and alive(t, n_steps):
                n_steps += 1
                coordination = "assistance"
                step("request_coordination", t, initiator, "coordinating", {"coordination_kind": "assistance"},
                     reason="需其他部门协助")
                t = later(t, rng.expovariate(1) + 0.1)
                dispatcher = city.centre
                body = rng.choice(city.departments) if city.departments else body
            returns = 1 if rng.random() < P_RETURN else 0
            while body is not None and alive(t, n_steps):
                n_steps += 1
                action = "coordinate" if state == "coordinating" else "dispatch"
                if body.pk != getattr(proposed, "pk", None):
                    route_reason = "按实际情况改派"
                tr = step(action, t, dispatcher, "dispatched", {"body": body.pk})
                add_party(body, "assignee", t)
                handling_body = body
                stop_clock("dispatch", t)
                rk, ra = period("respond")
                hk, ha = period("handle")
                response_due = start_clock("response", rk, ra, t, tr)
                start_clock("handling", hk, ha, t, tr)
                t_next = on_time_or_late(t, response_due, P_LATE_RESPONSE, 3)
                if returns and alive(t_next, n_steps):
                    returns = 0
                    n_steps += 1
                    step("return_assignment", t_next, body, "filed", reason="非本单位职责")
                    stop_clock("response", t_next)
                    remove_party(body, "assignee", t_next)
                    handling_body = None
                    others = [x for x in candidates if x.pk != body.pk]
                    body = rng.choice(others) if others else body  # the only handling body: sent back to it
                    dispatcher = initiator
                    t = later(t_next, rng.expovariate(1 / 0.5) + 0.05)
                    continue
                t = t_next
                break
            if state == "dispatched" and alive(t, n_steps):
                n_steps += 1
                step("accept", t, handling_body, "handling")
                stop_clock("response", t)
                rework_left = 1 if rng.random() < P_REWORK else 0
                while alive(t, n_steps):
                    handling = deadlines.get("handling")
                    t_done = on_time_or_late(t, handling[17], P_LATE_HANDLING, 24)
                    if rng.random() < P_SUSPEND and state == "handling":
                        ts = later(t, (t_done - t).total_seconds() / 7200)
                        te = later(ts, rng.uniform(24, 240))
                        if not alive(ts, n_steps):
                            break
                        n_steps += 1
                        step("suspend", ts, handling_body, "suspended", reason="等待相关部门认定")
                        kind_, amount_ = handling[3], handling[4]
                        started = handling[18]
                        if not alive(te, n_steps):
                            open_pause = (ts, None, "等待相关部门认定")
                            due, expl = self.clocks.due_with_pause(kind_, amount_, started, open_pause, now)
                            handling[9], handling[10] = w.dt(ts), "等待相关部门认定"
                            handling[6], handling[7], handling[17] = w.dt(due), expl, due
                            break
                        n_steps += 1
                        step("resume", te, handling_body, "handling")
                        due, expl = self.clocks.due_with_pause(kind_, amount_, started, (ts, te, "等待相关部门认定"),
                                                               now)
                        handling[6], handling[7], handling[17] = w.dt(due), expl, due
                        handling[8] = json.dumps([{"start": aware(ts).isoformat(), "end": aware(te).isoformat(),
                                                   "reason": "等待相关部门认定"}], ensure_ascii=False)
                        t_done = on_time_or_late(te, due, P_LATE_HANDLING, 24)
                    if not alive(t_done, n_steps):
                        break
                    n_steps += 1
                    result = "已按要求处置完毕"
                    tr = step("report_back", t_done, handling_body, "reported_back", {"result": result})
                    stop_clock("handling", t_done)
                    vk, va = period("verify")
                    verify_due = start_clock("verify", vk, va, t_done, tr)
                    t = on_time_or_late(t_done, verify_due, P_LATE_VERIFY, 12)
                    if not alive(t, n_steps):
                        break
                    n_steps += 1
                    if rework_left:
                        rework_left = 0
                        tr = step("rework", t, initiator, "handling", reason="核查不通过，现场问题仍存在")
                        stop_clock("verify", t)
                        start_clock("handling", hk, ha, t, tr)
                        continue
                    step("close", t, initiator, "closed", {"conditions": cat.closing_conditions})
                    stop_clock("verify", t)
                    t = later(t, rng.uniform(4, 120))
                    if alive(t, n_steps):
                        if rng.random() < P_EVALUATE:
                            satisfaction = _weighted(rng, SATISFACTION)
                            step("evaluate", t, initiator, "archived", {"satisfaction": satisfaction})
                        else:
                            step("archive", t, initiator, "archived", reason="匿名反映，无法回访")
                        closed_at = t
                    break
        if closed_at is not None:
            for name in list(deadlines):  # a finished process has no running clock
                row = deadlines.pop(name)
                row[13], row[9] = w.dt(closed_at), None
        else:
            last_open[tid] = pid
        # The kernel's Process.next_due: the earliest due time of the clocks still running and not paused.
        next_due = min((row[17] for row in deadlines.values() if row[9] is None), default=None)

        # --- rows
        updated = last_at[0]
        title_detail = rng.choice(DETAILS)
        description = f"{place.name}附近{cat.name}，{title_detail}。"
        data = {"channel": channel, "synthetic": True}
        b.process.append((pid, "event", kernel.process_number(self.flow, self.year, number),
                          f"{cat.name}：{description[:40]}", state, len(transitions), None, "系统", w.dt(t0),
                          w.dt(updated), w.dt(closed_at), satisfaction, json.dumps(data, ensure_ascii=False),
                          initiator.pk, tid, w.dt(next_due)))
        name = rng.choice(SURNAMES) + rng.choice("先生女士") if channel == "hotline" else ""
        b.event.append((pid, channel, cat.pk, (cat.matter_codes or [""])[0], description, urgency,
                        w.dt(t0 - dt.timedelta(minutes=rng.randrange(5, 90))), lng, lat, "", tid, place.village_id,
                        place.grid_id, name[:3], f"13{rng.randrange(10**8, 10**9)}" if name else "", None,
                        city.hotline.pk if channel == "hotline" and city.hotline is not None else None,
                        f"12345-{number}" if channel == "hotline" else "", "", "",
                        getattr(proposed, "pk", None), json.dumps(reasons, ensure_ascii=False),
                        getattr(handling_body, "pk", None), route_reason, None, "", coordination, duplicate_of,
                        result, None, None, None))  # no field checks in the synthetic city
        b.party.extend(tuple(r) for r in parties.values())
        b.transition.extend(transitions)
        b.deadline.extend(tuple(r[:17]) for r in all_deadlines)
        totals[state] += 1

