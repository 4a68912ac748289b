"""Scoped reads for the command screens. Every query starts from
``visible_to(user)``; aggregates are SQL (GROUP BY), never per-row loops."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, F, OuterRef, Q, Subquery
from django.utils import timezone

from oneteam.core.access import scope_for
from oneteam.workflow.models import ProcessDeadline

from .models import Event

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
          .select_related("process", "category", "township", "handling_body", "proposed_body", "village")
          .annotate(next_due=Subquery(next_due)))
    if township_id:
        qs = qs.filter(process__township_id=township_id)
    return qs


def room_list(user, *, township_id: int | None = None, bucket: str | None = None, now: dt.datetime | None = None):
    now = now or timezone.now()
    qs = open_events(user, township_id=township_id)
    if bucket in BUCKETS:
        qs = qs.filter(process__state__in=BUCKETS[bucket])
    elif bucket == "overdue":
        qs = qs.filter(next_due__lt=now)
    elif bucket == "due_today":
        end = timezone.localtime(now).replace(hour=23, minute=59, second=59)
        qs = qs.filter(next_due__gte=now, next_due__lte=end)
    return qs.order_by(F("next_due").asc(nulls_last=True), "process_id")


def room_counts(user, *, township_id: int | None = None, now: dt.datetime | None = None) -> dict[str, int]:
    """Counts per bucket, overdue and due today, in one query."""
    now = now or timezone.now()
    end = timezone.localtime(now).replace(hour=23, minute=59, second=59)
    aggregates = {name: Count("pk", filter=Q(process__state__in=states)) for name, states in BUCKETS.items()}
    aggregates["overdue"] = Count("pk", filter=Q(next_due__lt=now))
    aggregates["due_today"] = Count("pk", filter=Q(next_due__gte=now, next_due__lte=end))
    aggregates["total"] = Count("pk")
    aggregates["urgent"] = Count("pk", filter=Q(urgency="urgent"))
    return open_events(user, township_id=township_id).aggregate(**aggregates)


def bucket_count(counts: dict[str, int], bucket: str | None) -> int:
    """How many rows :func:`room_list` gives for ``bucket``, read from :func:`room_counts`."""
    return counts[bucket] if bucket in BUCKETS or bucket in ("overdue", "due_today") else counts["total"]


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

