"""The command room's one pass (``selectors.scan_room``): its counts and its
list order against a lead-by-lead reading of the same rows."""

import datetime as dt

import pytest
from django.db.models import Min
from django.utils import timezone

from oneteam.command import selectors, services
from oneteam.command.models import Event
from oneteam.command.services import Intake
from oneteam.workflow.models import ProcessDeadline
from oneteam.workflow.services import perform

pytestmark = pytest.mark.django_db

BUCKET_NAMES = ["", "to_file", "to_dispatch", "in_progress", "overdue", "due_today", "urgent", "nonsense"]


def _report(world, **kw):
    return services.report_event(
        Intake(channel="grid_patrol", category="ZDJY", description="占道", lng=120.61, lat=27.71, **kw),
        actor=world.gridder,
    ).event


def _lead_by_lead(township_id, bucket, now):
    """What the room should show, read one lead at a time."""
    end = timezone.localtime(now).replace(hour=23, minute=59, second=59)
    rows = []
    for event in Event.objects.filter(
        process__township_id=township_id, process__closed_at__isnull=True, process__state__in=selectors.OPEN_STATES
    ).select_related("process"):
        due = ProcessDeadline.objects.filter(process_id=event.pk, stopped_at__isnull=True).aggregate(m=Min("due_at"))[
            "m"
        ]
        rows.append((event.pk, event.process.state, event.urgency, due))
    counts = {name: sum(state in states for _, state, _, _ in rows) for name, states in selectors.BUCKETS.items()}
    counts["overdue"] = sum(due is not None and due < now for *_, due in rows)
    counts["due_today"] = sum(due is not None and now <= due <= end for *_, due in rows)
    counts["urgent"] = sum(urgency == "urgent" for _, _, urgency, _ in rows)
    counts["total"] = len(rows)

    def shown(state, due):
        if bucket in selectors.BUCKETS:
            return state in selectors.BUCKETS[bucket]
        if bucket == "overdue":
            return due is not None and due < now
        if bucket == "due_today":
            return due is not None and now <= due <= end
        return True

    listed = [(pk, due) for pk, state, _, due in rows if shown(state, due)]
    listed.sort(key=lambda r: (r[1] is None, r[1] or now, r[0]))
    return counts, [pk for pk, _ in listed]


@pytest.fixture
def leads(world):
    events = [_report(world, urgency="urgent" if i % 3 == 0 else "normal") for i in range(7)]
    for event in events[:3]:
        perform(event.process, "file", actor=world.dispatcher, data={"conditions": ["存在摆摊设点经营行为"]})
    # One lead with no running deadline at all: listed last.
    ProcessDeadline.objects.filter(process_id=events[4].pk).update(stopped_at=events[4].process.created_at)
    return events


@pytest.mark.parametrize("bucket", BUCKET_NAMES)
def test_scan_matches_lead_by_lead(world, leads, bucket):
    dues = sorted(
        ProcessDeadline.objects.filter(process_id__in=[e.pk for e in leads], stopped_at__isnull=True).values_list(
            "due_at", flat=True
        )
    )
    # Half the clocks overdue and the rest running, then everything overdue.
    for now in (dues[len(dues) // 2], dues[-1] + dt.timedelta(days=2)):
        scan = selectors.scan_room(world.dispatcher, township_id=world.township.pk, bucket=bucket or None, now=now)
        counts, order = _lead_by_lead(world.township.pk, bucket, now)
        assert scan.counts == counts
        assert scan.order == order
    if not bucket:
        assert scan.order[-1] == leads[4].pk  # no running deadline: last


def test_scan_counts_without_order(world, leads):
    scan = selectors.scan_room(world.dispatcher, township_id=world.township.pk, order=False)
    assert scan.order == []
    assert scan.counts["total"] == 7
    assert scan.counts == selectors.scan_room(world.dispatcher, township_id=world.township.pk).counts


def test_scan_never_reaches_another_township(world, leads):
    scan = selectors.scan_room(world.other_dispatcher)
    assert scan.counts["total"] == 0 and scan.order == []
    # Naming the other township does not widen the scope either.
    scan = selectors.scan_room(world.other_dispatcher, township_id=world.township.pk)
    assert scan.counts["total"] == 0 and scan.order == []


def test_rows_come_back_in_the_scan_order(world, leads):
    order = selectors.scan_room(world.dispatcher, township_id=world.township.pk).order
    assert [e.pk for e in selectors.room_rows(list(reversed(order)))] == list(reversed(order))


def test_township_table_from_the_same_pass(world, leads):
    """The city centre's table per township: only townships with open leads, by code, counted per township."""
    far = services.report_event(
        Intake(channel="hotline", category="ZDJY", description="占道", lng=120.71, lat=27.71, urgency="urgent"),
        actor=world.gridder,
    ).event
    assert far.township_id == world.other_township.pk
    scan = selectors.scan_room(world.centre_dispatcher, order=False, townships=True)
    table = {row["township_id"]: row for row in scan.townships}
    assert [row["township_id"] for row in scan.townships] == sorted(
        table,
        key=lambda pk: {world.township.pk: world.township.code, world.other_township.pk: world.other_township.code}[pk],
    )
    mine = _lead_by_lead(world.township.pk, "", timezone.now())[0]
    assert table[world.township.pk] == {
        "township_id": world.township.pk,
        "township__name": world.township.name,
        "open": 7,
        "overdue": mine["overdue"],
        "to_dispatch": mine["to_file"] + mine["to_dispatch"],
        "coordinating": mine["coordinating"],
        "urgent": mine["urgent"],
    }
    assert table[world.other_township.pk]["open"] == 1 and table[world.other_township.pk]["urgent"] == 1
    assert scan.counts["total"] == 8
    # A township dispatcher's table holds their own township only.
    assert selectors.scan_room(world.dispatcher, townships=True).townships == [table[world.township.pk]]


def test_map_keeps_the_most_pressing_leads_when_cut(world, leads):
    """The room's map: earliest running deadline first (overdue ones lead),
    leads without a running deadline last, the same order as the room's list;
    ``total`` counts the leads the limit left out."""
    latest = leads[6]
    ProcessDeadline.objects.filter(process_id=latest.pk, stopped_at__isnull=True).update(
        due_at=timezone.now() - dt.timedelta(hours=1)
    )
    order = _lead_by_lead(world.township.pk, "", timezone.now())[1]
    assert order[0] == latest.pk  # the newest lead, overdue, comes first
    found = selectors.map_points(world.dispatcher, township_id=world.township.pk)
    assert [p["id"] for p in found.points] == order and found.total == 7
    assert found.points[0]["overdue"] and not any(p["overdue"] for p in found.points[1:])
    assert [p["urgent"] for p in found.points] == [Event.objects.get(pk=pk).urgency == "urgent" for pk in order]
    cut = selectors.map_points(world.dispatcher, township_id=world.township.pk, limit=3)
    assert [p["id"] for p in cut.points] == order[:3] and cut.total == 7
    # A lead reported by address only is counted nowhere on the map.
    Event.objects.filter(pk=leads[0].pk).update(lng=None, lat=None)
    assert selectors.map_points(world.dispatcher, township_id=world.township.pk, limit=3).total == 6


def test_map_never_reaches_another_township(world, leads):
    assert selectors.map_points(world.other_dispatcher) == selectors.MapPoints([], 0)
    assert selectors.map_points(world.other_dispatcher, township_id=world.township.pk).total == 0
