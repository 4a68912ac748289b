"""Scoped reads for the command screens. Every query starts from
``visible_to(user)`` (:func:`_scoped`); aggregates are SQL (GROUP BY), never
per-row loops, and lists are sorted and sliced in SQL."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, Window
from django.db.models.functions import Floor
from django.utils import timezone
from django.utils.translation import gettext as _

from oneteam.core.access import scope_for
from oneteam.core.functions import LocalDate
from oneteam.core.paging import in_key_order
from oneteam.org.models import Township, Village
from oneteam.workflow import selectors as kernel_selectors
from oneteam.workflow.declare import PartyRole
from oneteam.workflow.models import MOST_PRESSING, Process

from .choices import Urgency
from .models import Event, EventCategory, reported_days

#: What a row of the command room shows besides the lead itself.
ROW_RELATED = ("process", "category", "township", "handling_body", "proposed_body", "village")

#: The lead flow's states that are not terminal: exactly those of the leads
#: with no ``closed_at`` (the kernel sets it on a terminal state), so the room
#: filters on ``closed_at`` alone (the partial indexes' condition; a second
#: filter on the state made PostgreSQL take 25,000 open leads for 600).
OPEN_STATES = ["reported", "filed", "coordinating", "dispatched", "handling", "suspended", "reported_back", "closed"]

#: Buckets of the command room, by state.
BUCKETS = {
    "to_file": ["reported"],
    "to_dispatch": ["filed"],
    "coordinating": ["coordinating"],
    "in_progress": ["dispatched", "handling", "suspended"],
    "to_verify": ["reported_back"],
    "to_visit": ["closed"],
}


def _scoped(user, township_id: int | None):
    """``Event.objects.visible_to(user)``, short-cut when the whole township is
    inside the user's scope: the township filter then *is* the access rule, and
    the planner avoids the party subquery over every process of the city."""
    if township_id and scope_for(user).sees_all_of(township_id):
        # Driven from the process table's partial index on open processes per township.
        return Event.objects.filter(process__township_id=township_id, process__kind="event")
    return Event.objects.visible_to(user)


#: The keys of every open lead, from the partial index on open processes. A
#: reader who does not see the whole township (a department) has its open
#: leads read from these first (``kernel_selectors.read_first``): SQLite
#: otherwise drove the room from the access filter's party set (36,000
#: processes of a department's 24 bodies at 10⁶) and tested each for being
#: open, 150 → 116 ms for the room.
_OPEN_LEADS = Process.objects.filter(kind="event", closed_at__isnull=True).values("pk")


def _open(user, township_id: int | None):
    qs = _scoped(user, township_id)
    if not scope_for(user).sees_all_of(township_id):
        qs = kernel_selectors.read_first(qs, _OPEN_LEADS, field="process")
    qs = qs.filter(process__closed_at__isnull=True)
    if township_id:
        qs = qs.filter(process__township_id=township_id)
    return qs


def _open_processes(user, township_id: int | None):
    """The processes of :func:`_open`'s leads, read from the process table:
    what a list ordered by ``next_due`` walks (``workflow_process_open_due``,
    ``…_open_township``). From the lead's side the tie-break on the key is
    ``command_event.process_id``, which SQLite does not take for the
    process's ``id`` in the index, so it sorted every open lead of the city."""
    # The township filter (or nothing) is the access rule when it covers what the user sees, as in _scoped.
    if scope_for(user).sees_all_of(township_id):
        qs = Process.objects.all()
    else:
        qs = kernel_selectors.read_first(Process.objects.visible_to(user), _OPEN_LEADS)
    qs = qs.filter(kind="event", closed_at__isnull=True)
    return qs.filter(township_id=township_id) if township_id else qs


#: The names that filter the room's list; any other name lists every open lead.
LISTS = (*BUCKETS, "overdue", "due_today")

#: The city centre's table per township, besides ``open``: each column counts the leads under any of its names.
TOWNSHIP_COLUMNS = {"overdue": {"overdue"}, "to_dispatch": {"to_file", "to_dispatch"},
                    "coordinating": {"coordinating"}, "urgent": {"urgent"}}


@dataclass(frozen=True)
class RoomCounts:
    """A command room's counts (:func:`room_counts`)."""

    #: Per bucket (by state), overdue, due today, urgent and ``total``.
    counts: dict[str, int]
    #: Per township (or village, as asked): open, overdue, to dispatch,
    #: coordinating and urgent leads, by code, areas with open leads only.
    areas: list[dict] = field(default_factory=list)


class _Tally:
    """The room's counts and its table per area, added up group by group."""

    def __init__(self) -> None:
        self.bucket_of = {state: name for name, states in BUCKETS.items() for state in states}
        self.counts = dict.fromkeys([*LISTS, "urgent", "total"], 0)
        self.per_area: dict[int | None, dict[str, int]] = {}

    def marks(self, state: str, urgency: str) -> set[str]:
        marks = {self.bucket_of[state]} if state in self.bucket_of else set()
        if urgency == Urgency.URGENT:
            marks.add("urgent")
        return marks

    def add(self, area: int | None, marks: set[str], n: int = 1, *, lead: bool = True) -> None:
        """``n`` leads of ``area`` under ``marks``; ``lead=False`` adds marks
        only (to leads counted already)."""
        if not n:
            return
        for mark in marks:
            self.counts[mark] += n
        if lead:
            self.counts["total"] += n
        row = self.per_area.setdefault(area, {"open": 0, **dict.fromkeys(TOWNSHIP_COLUMNS, 0)})
        if lead:
            row["open"] += n
        for column, names in TOWNSHIP_COLUMNS.items():
            if names & marks:
                row[column] += n

    def table(self, area: str) -> list[dict]:
        return _area_table(area, self.per_area)


def _end_of_today(now: dt.datetime) -> dt.datetime:
    return timezone.localtime(now).replace(hour=23, minute=59, second=59)


#: The areas :func:`room_counts` can count per: the model, by the lead's field ``<area>_id``.
AREAS = {"township": Township, "village": Village}


def _area_table(area: str, per_area: dict[int | None, dict[str, int]]) -> list[dict]:
    """``{"<area>_id", "<area>__name", counts…}`` per area with open leads, by
    code; leads in no village (no point, or outside every grid) last."""
    model = AREAS[area]
    rows = [{f"{area}_id": pk, f"{area}__name": name, **per_area[pk]}
            for pk, name in model.objects.filter(pk__in=[k for k in per_area if k is not None])
            .order_by("code").values_list("pk", "name")]
    if None in per_area:
        rows.append({f"{area}_id": None, f"{area}__name": str(_("未落到村(社区)")), **per_area[None]})
    return rows


def room_counts(user, *, township_id: int | None = None, now: dt.datetime | None = None,
                area: str = "township") -> RoomCounts:
    """The command room's counts of the open leads visible to ``user`` (in
    ``township_id``) — per bucket (by state), overdue (``next_due`` before
    ``now``), due today (from ``now`` to the end of the local day), urgent
    and in all — and its table per ``area`` (``"township"`` or
    ``"village"``), from one ``GROUP BY`` area × state × urgency: a few
    hundred groups however many leads are open (a city's tens of thousands)."""
    now = now or timezone.now()
    end = _end_of_today(now)
    tally = _Tally()
    groups = (_open(user, township_id).order_by().values_list(f"{area}_id", "process__state", "urgency")
              .annotate(n=Count("pk"), overdue=Count("pk", filter=Q(process__next_due__lt=now)),
                        due_today=Count("pk", filter=Q(process__next_due__gte=now, process__next_due__lte=end))))
    for of_area, state, urgency, n, overdue, due_today in groups:
        tally.add(of_area, tally.marks(state, urgency), n)
        tally.add(of_area, {"overdue"}, overdue, lead=False)
        tally.add(of_area, {"due_today"}, due_today, lead=False)
    return RoomCounts(tally.counts, tally.table(area))


def room_list(user, *, township_id: int | None = None, bucket: str | None = None,
              now: dt.datetime | None = None):
    """The keys of the open leads visible to ``user`` (in ``township_id``)
    under ``bucket`` (every open lead for no or an unknown one), the earliest
    ``next_due`` first, leads with no running clock last, then by key: the
    room's list, to be sliced a page at a time and read with
    :func:`room_rows` (what the room counts under the same name,
    :func:`room_counts`, is its length)."""
    now = now or timezone.now()
    qs = _open_processes(user, township_id)
    if bucket in BUCKETS:
        qs = qs.filter(state__in=BUCKETS[bucket])
    elif bucket == "overdue":
        qs = qs.filter(next_due__lt=now)
    elif bucket == "due_today":
        qs = qs.filter(next_due__gte=now, next_due__lte=_end_of_today(now))
    return qs.order_by(*MOST_PRESSING).values_list("pk", flat=True)


def room_rows(pks: list[int]) -> list[Event]:
    """The leads ``pks`` (a page of :func:`room_list`) with what a room row
    shows, in that order, annotated ``next_due`` (``Process.next_due``: the
    earliest due time of the lead's clocks neither stopped nor paused)."""
    return in_key_order(Event.objects.select_related(*ROW_RELATED).annotate(next_due=F("process__next_due")), pks)


def checks_for(user) -> list[Event]:
    """The field checks waiting for ``user``'s body (an active *checker* party
    of the lead), oldest first: what the grid officer's patrol page lists."""
    if not getattr(user, "body_id", None):
        return []
    return list(Event.objects.visible_to(user)
                .filter(process__parties__body_id=user.body_id, process__parties__role=PartyRole.CHECKER,
                        process__parties__active=True)
                .select_related("process", "category", "village").order_by("check_requested_at", "pk")[:50])


@dataclass(frozen=True)
class MapPoints:
    """The open leads a room's map shows (:func:`map_points`)."""

    #: ``{"id", "number", "state", "category", "urgent", "overdue", "lng", "lat"}`` per lead, most pressing first.
    points: list[dict]
    #: Open leads with a point in scope, shown or not (``len(points) < total`` when the limit cut the list).
    total: int


def map_points(user, *, township_id: int | None = None, limit: int = 3000) -> MapPoints:
    """The open leads with a point visible to ``user`` (in ``township_id``),
    at most ``limit``: the most pressing ones — earliest running deadline
    first (overdue leads lead), leads without a running deadline last, then by
    key — so that when a city's tens of thousands of open leads are cut to
    ``limit`` the map keeps the ones a commander must see, and shows the same
    ones on every backend. ``total`` counts them all, in the same query."""
    now = timezone.now()
    rows = (_open_processes(user, township_id).filter(command_event__lng__isnull=False)
            .annotate(total=Window(Count("pk")))
            .order_by(*MOST_PRESSING)
            .values_list("pk", "number", "state", "command_event__category__name", "command_event__urgency",
                         "command_event__lng", "command_event__lat", "next_due", "total")[:limit])
    points = [{"id": pk, "number": number, "state": state, "category": category, "urgent": urgency == Urgency.URGENT,
               "lng": lng, "lat": lat, "overdue": bool(due and due < now)}
              for pk, number, state, category, urgency, lng, lat, due, _total in rows]
    return MapPoints(points, rows[0][-1] if rows else 0)


def window_start(days: int) -> tuple[dt.date, dt.datetime]:
    """The first local day of a window of ``days`` days ending today, and
    its local midnight (aware)."""
    first = timezone.localdate() - dt.timedelta(days=days - 1)
    return first, _midnight(first)


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


#: A day is complete — kept — this long after its midnight: a lead stamped
#: just before midnight may commit a little after it.
SETTLE = dt.timedelta(minutes=10)


def _window_counts(user, what: str, first: dt.date, count, township_id: int | None) -> Counter:
    """``count(queryset, since, until)`` (a Counter) over the leads visible to
    ``user`` (in ``township_id``: :func:`_scoped`) reported from ``first``'s
    local midnight until now. For users who see every lead of the city or of
    ``township_id`` (``Scope.sees_all_of``) the complete past days are
    memoised per township (:data:`~.models.reported_days`: they change only
    when a past lead is reclassified, moved or placed, or leads are loaded in
    bulk), so a wall poll reads today alone, not a window of ~90,000 leads at
    10⁶ (~4,000 for a township). What any other scope sees depends on
    parties, which change with every action: it reads the whole window."""
    since = _midnight(first)
    qs = _scoped(user, township_id)
    if township_id:
        qs = qs.filter(process__township_id=township_id)
    if not scope_for(user).sees_all_of(township_id):
        return count(qs, since, None)
    settled = timezone.localdate(timezone.now() - SETTLE)  # the days before it are complete
    kept_until = max(first, settled)
    key = (what, township_id, first, settled)
    reported_days.prune(lambda k: k[0] == what and k[3] != settled)  # windows of an earlier day
    split = _midnight(kept_until)
    total = Counter()
    if first < kept_until:
        total.update(reported_days.get(key, lambda: count(qs, since, split)))
    total.update(count(qs, split, None))
    return total


def _reported_between(qs, since: dt.datetime, until: dt.datetime | None):
    qs = qs.reported_since(since).order_by()
    return qs.filter(process__created_at__lt=until) if until is not None else qs


@dataclass(frozen=True)
class Activity:
    """Leads reported over recent days, three ways (:func:`recent_activity`)."""

    #: ``{"day": "2026-12-01", "n": 12}`` for every day of the window (0 where none), oldest first.
    trend: list[dict]
    #: ``{"channel": "hotline", "n": 40}``, busiest first.
    channels: list[dict]
    #: ``{"name": "占道经营", "n": 30}``, busiest first, the top ones only.
    categories: list[dict]


def _day_channel_category(qs, since, until) -> Counter:
    rows = (_reported_between(qs, since, until).annotate(day=LocalDate("process__created_at"))
            .values_list("day", "channel", "category_id").annotate(n=Count("pk")))
    return Counter({(day, channel, category_id): n for day, channel, category_id, n in rows})


def recent_activity(user, *, township_id: int | None = None, days: int = 30, top: int = 10) -> Activity:
    """Leads visible to ``user`` reported in the last ``days`` days (today
    and the ``days - 1`` before it, local time: :func:`window_start`), per day
    (every day of the window, 0 where none: a line with gaps would join
    across them), per channel and per category (the ``top`` busiest; ties by name), from one
    ``GROUP BY`` day × channel × category (a few thousand groups at most), so
    the three agree with each other and their order does not depend on the
    backend. For a user who sees everything only today is read
    (:func:`_window_counts`); at 10⁶ leads the window is ~90,000 of them."""
    first, _since = window_start(days)
    groups = _window_counts(user, "activity", first, _day_channel_category, township_id)
    per_day: Counter = Counter()
    per_channel: Counter = Counter()
    per_category: Counter = Counter()
    for (day, channel, category_id), n in groups.items():
        per_day[day] += n
        per_channel[channel] += n
        per_category[category_id] += n
    names = dict(EventCategory.objects.filter(pk__in=per_category).values_list("pk", "name"))
    busiest = sorted(per_category.items(), key=lambda kv: (-kv[1], names[kv[0]]))[:top]
    return Activity(
        trend=[{"day": day.isoformat(), "n": per_day[day]}
               for day in (first + dt.timedelta(days=i) for i in range(days))],
        channels=[{"channel": c, "n": n} for c, n in sorted(per_channel.items(), key=lambda kv: (-kv[1], kv[0]))],
        categories=[{"name": names[pk], "n": n} for pk, n in busiest],
    )


#: Side of a heat-map cell in degrees (~500 m of latitude at Rui'an).
HEAT_CELL = 0.005


def heat_cells(user, *, township_id: int | None = None, days: int = 30, cell: float = HEAT_CELL,
               limit: int = 5000) -> list[list[float]]:
    """Leads of the last ``days`` with a point, counted per square cell of
    ``cell`` degrees: ``[lng, lat, n]`` with the cell's centre, busiest cells
    first (then west to east, south to north), at most ``limit`` cells.

    Every lead counts whatever their number (one GROUP BY per part of the
    window, :func:`_window_counts`; a city-year is a few thousand cells), and
    the same data give the same answer on both backends, which a sample of
    rows would not."""
    first, _since = window_start(days)

    def per_cell(qs, since, until) -> Counter:
        rows = (_reported_between(qs, since, until).filter(lng__isnull=False, lat__isnull=False)
                .annotate(cx=Floor(F("lng") / cell), cy=Floor(F("lat") / cell))
                .values_list("cx", "cy").annotate(n=Count("pk")))
        return Counter({(int(cx), int(cy)): n for cx, cy, n in rows})

    cells = _window_counts(user, f"heat:{cell}", first, per_cell, township_id)
    busiest = sorted(cells.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return [[round((cx + 0.5) * cell, 6), round((cy + 0.5) * cell, 6), n] for (cx, cy), n in busiest]
