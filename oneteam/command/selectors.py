"""Scoped reads for the command screens. Every query starts from
``visible_to(user)``; aggregates are SQL (GROUP BY), never per-row loops —
except the command room's one pass over its open leads (:func:`scan_room`),
which gives both its counts and its list order."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone

from oneteam.core.access import scope_for
from oneteam.workflow.models import ProcessDeadline

from .choices import Urgency
from .models import Event

#: What a row of the command room shows besides the lead itself.
ROW_RELATED = ("process", "category", "township", "handling_body", "proposed_body", "village")

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
    scope = scope_for(user)
    if township_id and not scope.nothing and (scope.everything or township_id in scope.township_ids):
        # Driven from the process table's partial index on open processes per township.
        return Event.objects.filter(process__township_id=township_id, process__kind="event")
    return Event.objects.visible_to(user)


def open_events(user, *, township_id: int | None = None):
    """Open leads visible to ``user`` with ``next_due``: the earliest running
    deadline (one correlated subquery on the indexed deadline table)."""
    next_due = (ProcessDeadline.objects.filter(process_id=OuterRef("process_id"), stopped_at__isnull=True)
                .order_by("due_at").values("due_at")[:1])
    qs = (_scoped(user, township_id).filter(process__closed_at__isnull=True, process__state__in=OPEN_STATES)
          .select_related(*ROW_RELATED)
          .annotate(next_due=Subquery(next_due)))
    if township_id:
        qs = qs.filter(process__township_id=township_id)
    return qs


@dataclass(frozen=True)
class RoomScan:
    """The command room's counts and the order of its list (:func:`scan_room`)."""

    counts: dict[str, int]
    #: Keys of the chosen bucket's leads: earliest running deadline first (none last), then key.
    order: list[int]


def scan_room(user, *, township_id: int | None = None, bucket: str | None = None,
              now: dt.datetime | None = None, order: bool = True) -> RoomScan:
    """Counts per bucket (by state), overdue, due today, urgent and in all, and
    the order of ``bucket``'s leads (all open leads for no or an unknown
    bucket; ``order=False`` skips it), in one pass over the open leads visible
    to ``user``.

    Reading each lead's earliest running deadline is most of what the room
    costs (a look-up in the deadline index per lead). An SQL aggregate for the
    counts and a sorted query for the list read it twice; here it is read
    once, a short row per open lead. That is a few thousand rows for a
    township, however many leads it has closed."""
    now = now or timezone.now()
    end = timezone.localtime(now).replace(hour=23, minute=59, second=59)
    bucket_of = {state: name for name, states in BUCKETS.items() for state in states}
    counts = dict.fromkeys([*BUCKETS, "overdue", "due_today", "total", "urgent"], 0)
    listed: list[tuple[bool, dt.datetime, int]] = []
    rows = open_events(user, township_id=township_id).values_list("pk", "process__state", "urgency", "next_due")
    for pk, state, urgency, due in rows.iterator(chunk_size=5000):
        of_state = bucket_of.get(state)
        overdue = due is not None and due < now
        due_today = due is not None and now <= due <= end
        counts["total"] += 1
        if of_state:
            counts[of_state] += 1
        counts["overdue"] += overdue
        counts["due_today"] += due_today
        counts["urgent"] += urgency == Urgency.URGENT
        if order and (of_state == bucket if bucket in BUCKETS else overdue if bucket == "overdue"
                      else due_today if bucket == "due_today" else True):
            listed.append((due is None, due or now, pk))
    listed.sort()
    return RoomScan(counts, [pk for *_, pk in listed])


def room_counts(user, *, township_id: int | None = None, now: dt.datetime | None = None) -> dict[str, int]:
    """Counts per bucket, overdue, due today, urgent and in all (:func:`scan_room`)."""
    return scan_room(user, township_id=township_id, now=now, order=False).counts


def room_rows(pks: list[int]) -> list[Event]:
    """The leads ``pks`` (from :func:`scan_room`) with what a room row shows, in that order."""
    found = Event.objects.select_related(*ROW_RELATED).in_bulk(pks)
    return [found[pk] for pk in pks if pk in found]


def by_township(user, *, now: dt.datetime | None = None) -> list[dict]:
    """Open leads per township with overdue counts (city centre overview)."""
    now = now or timezone.now()
    return list(open_events(user).values("township_id", "township__name").annotate(
        open=Count("pk"), overdue=Count("pk", filter=Q(next_due__lt=now)),
        to_dispatch=Count("pk", filter=Q(process__state__in=["reported", "filed"])),
        coordinating=Count("pk", filter=Q(process__state="coordinating")),
        urgent=Count("pk", filter=Q(urgency="urgent")),
    ).order_by("township__code"))


def map_points(user, *, township_id: int | None = None, limit: int = 3000) -> list[dict]:
    now = timezone.now()
    rows = (open_events(user, township_id=township_id).filter(lng__isnull=False)
            .values("pk", "process_id", "process__number", "process__state", "category__name", "urgency", "lng",
                    "lat", "next_due")[:limit])
    return [{"id": r["process_id"], "number": r["process__number"], "state": r["process__state"],
             "category": r["category__name"], "urgent": r["urgency"] == "urgent", "lng": r["lng"], "lat": r["lat"],
             "overdue": bool(r["next_due"] and r["next_due"] < now)} for r in rows]


def daily_trend(user, *, days: int = 30) -> list[dict]:
    """Leads reported per day over the last ``days`` days."""
    since = timezone.now() - dt.timedelta(days=days)
    from django.db.models.functions import TruncDate

    rows = (Event.objects.visible_to(user).filter(process__created_at__gte=since)
            .annotate(day=TruncDate("process__created_at")).values("day").annotate(n=Count("pk")).order_by("day"))
    return [{"day": r["day"].isoformat(), "n": r["n"]} for r in rows]


def by_channel(user, *, days: int = 30) -> list[dict]:
    since = timezone.now() - dt.timedelta(days=days)
    return list(Event.objects.visible_to(user).filter(process__created_at__gte=since).values("channel")
                .annotate(n=Count("pk")).order_by("-n"))


def by_category(user, *, days: int = 30) -> list[dict]:
    since = timezone.now() - dt.timedelta(days=days)
    return list(Event.objects.visible_to(user).filter(process__created_at__gte=since)
                .values("category__name").annotate(n=Count("pk")).order_by("-n")[:10])


def heat_points(user, *, days: int = 30, limit: int = 5000) -> list[list[float]]:
    since = timezone.now() - dt.timedelta(days=days)
    return [[r[0], r[1]] for r in Event.objects.visible_to(user).filter(
        process__created_at__gte=since, lng__isnull=False).values_list("lng", "lat")[:limit]]

