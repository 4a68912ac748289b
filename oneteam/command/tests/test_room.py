"""The command room's counts (``selectors.room_counts``) and list
(``selectors.room_list``) against a lead-by-lead reading of the deadline rows
(``room_oracle``), and the kernel's ``Process.next_due`` they read, kept
through every clock change of the loop."""

import datetime as dt

import pytest
from django.utils import timezone

from oneteam.command import selectors, services
from oneteam.command.models import Event
from oneteam.command.services import Intake
from oneteam.workflow.models import ProcessDeadline
from oneteam.workflow.services import perform, sync_next_due

from .room_oracle import lead_by_lead
from .test_loop import photo

pytestmark = pytest.mark.django_db

BUCKET_NAMES = ["", "to_file", "to_dispatch", "in_progress", "overdue", "due_today", "urgent", "nonsense"]


def _report(world, **kw):
    return services.report_event(
        Intake(channel="grid_patrol", category="ZDJY", description="占道", lng=120.61, lat=27.71, **kw),
        actor=world.gridder,
    ).event


def _listed(user, **kw) -> list[int]:
    return list(selectors.room_list(user, **kw))


@pytest.fixture
def leads(world):
    events = [_report(world, urgency="urgent" if i % 3 == 0 else "normal") for i in range(7)]
    for event in events[:3]:
        perform(event.process, "file", actor=world.dispatcher, data={"conditions": ["存在摆摊设点经营行为"]})
    # One lead with no running deadline at all: listed last.
    ProcessDeadline.objects.filter(process_id=events[4].pk).update(stopped_at=events[4].process.created_at)
    sync_next_due([events[4].pk])
    return events


def test_open_states_are_the_flows_states_that_do_not_close():
    from oneteam.workflow.declare import get_flow

    flow = get_flow("event")
    assert [s.name for s in flow.states if not s.terminal] == selectors.OPEN_STATES
    assert {state for states in selectors.BUCKETS.values() for state in states} == set(selectors.OPEN_STATES)


@pytest.mark.parametrize("bucket", BUCKET_NAMES)
def test_room_matches_lead_by_lead(world, leads, bucket):
    dues = sorted(
        ProcessDeadline.objects.filter(process_id__in=[e.pk for e in leads], stopped_at__isnull=True).values_list(
            "due_at", flat=True
        )
    )
    # Half the clocks overdue and the rest running, then everything overdue.
    for now in (dues[len(dues) // 2], dues[-1] + dt.timedelta(days=2)):
        counts, order, _table = lead_by_lead(world.township.pk, bucket, now)
        for user in (world.dispatcher, world.centre_dispatcher):
            room = selectors.room_counts(user, township_id=world.township.pk, now=now)
            assert room.counts == counts
            assert _listed(user, township_id=world.township.pk, bucket=bucket or None, now=now) == order
    if not bucket:
        assert order[-1] == leads[4].pk  # no running deadline: last


def test_a_rooms_list_is_as_long_as_its_count(world, leads):
    now = timezone.now()
    counts = selectors.room_counts(world.dispatcher, township_id=world.township.pk, now=now).counts
    for bucket in selectors.LISTS:
        assert len(_listed(world.dispatcher, township_id=world.township.pk, bucket=bucket, now=now)) == counts[bucket]
    assert len(_listed(world.dispatcher, township_id=world.township.pk, now=now)) == counts["total"] == 7


def test_room_never_reaches_another_township(world, leads):
    assert selectors.room_counts(world.other_dispatcher).counts["total"] == 0
    assert _listed(world.other_dispatcher) == []
    # Naming the other township does not widen the scope either.
    assert selectors.room_counts(world.other_dispatcher, township_id=world.township.pk).counts["total"] == 0
    assert _listed(world.other_dispatcher, township_id=world.township.pk) == []


def test_next_due_follows_every_clock_change(world):
    """``Process.next_due`` is the earliest due time of the running, unpaused
    clocks after the start and after every action: filing, dispatch, accept,
    suspension (the paused clock stops counting: not overdue, listed last),
    resumption, report back, rework (a restarted clock), return, closing."""
    event = _report(world)
    p = event.process

    def check():
        p.refresh_from_db()
        expected = (ProcessDeadline.objects.filter(process=p, stopped_at__isnull=True, paused_since__isnull=True)
                    .order_by("due_at").values_list("due_at", flat=True).first())
        assert p.next_due == expected, p.state
        return p.next_due

    assert check() is not None
    perform(p, "file", actor=world.dispatcher, data={"conditions": ["存在摆摊设点经营行为"]})
    check()
    perform(p, "dispatch", actor=world.dispatcher, data={"body": world.team.pk})
    check()
    perform(p, "return_assignment", actor=world.officer, reason="不属于本队职责")
    check()
    perform(p, "dispatch", actor=world.dispatcher, data={"body": world.team.pk})
    perform(p, "accept", actor=world.officer)
    handling = check()
    perform(p, "suspend", actor=world.officer, reason="等待权属部门认定")
    assert check() is None
    later = handling + dt.timedelta(days=30)  # long after the clock's due time before the pause
    counts, order, _table = lead_by_lead(world.township.pk, "", later)
    assert selectors.room_counts(world.dispatcher, township_id=world.township.pk, now=later).counts == counts
    assert counts["overdue"] == 0 and _listed(world.dispatcher, township_id=world.township.pk, now=later) == order
    perform(p, "resume", actor=world.officer)
    assert check() >= handling
    perform(p, "report_back", actor=world.officer, data={"result": "已处置"}, attachments=[photo()])
    check()
    perform(p, "rework", actor=world.dispatcher, reason="现场仍有摊点")
    check()
    perform(p, "report_back", actor=world.officer, data={"result": "已处置"}, attachments=[photo()])
    perform(p, "close", actor=world.dispatcher, data={"conditions": ["摊点已撤离"]})
    check()
    perform(p, "evaluate", actor=world.dispatcher, data={"satisfaction": "satisfied"})
    assert check() is None and p.closed_at is not None


def test_township_table(world, leads):
    """The city centre's table per township: only townships with open leads, by code, counted per township."""
    far = services.report_event(
        Intake(channel="hotline", category="ZDJY", description="占道", lng=120.71, lat=27.71, urgency="urgent"),
        actor=world.gridder,
    ).event
    assert far.township_id == world.other_township.pk
    now = timezone.now()
    city = selectors.room_counts(world.centre_dispatcher, now=now)
    counts, order, table = lead_by_lead(None, "", now)
    assert city.counts == counts and city.counts["total"] == 8
    assert [row["township_id"] for row in city.areas] == sorted(
        table,
        key=lambda pk: {world.township.pk: world.township.code, world.other_township.pk: world.other_township.code}[pk],
    )
    assert {row.pop("township_id"): row for row in city.areas} == {
        pk: {"township__name": name, **table[pk]}
        for pk, name in ((world.township.pk, world.township.name), (world.other_township.pk, world.other_township.name))
    }
    assert _listed(world.centre_dispatcher, now=now) == order
    # A township dispatcher's table holds their own township only.
    assert [row["township_id"] for row in selectors.room_counts(world.dispatcher).areas] == [world.township.pk]


def test_rows_come_back_in_the_lists_order(world, leads):
    order = _listed(world.dispatcher, township_id=world.township.pk)
    rows = selectors.room_rows(list(reversed(order)))
    assert [e.pk for e in rows] == list(reversed(order))
    assert all(e.next_due == e.process.next_due for e in rows)


def test_room_page_lists_a_page_of_the_bucket_in_order(client, world, leads):
    from django.urls import reverse

    client.force_login(world.dispatcher)
    response = client.get(reverse("command:room"), {"bucket": "to_dispatch"})
    assert response.status_code == 200
    assert [e.pk for e in response.context["page"]] == lead_by_lead(world.township.pk, "to_dispatch",
                                                                     timezone.now())[1]
    assert response.context["page"].paginator.count == response.context["counts"]["to_dispatch"] == 3


def test_map_keeps_the_most_pressing_leads_when_cut(world, leads):
    """The room's map: earliest running deadline first (overdue ones lead),
    leads without a running deadline last, the same order as the room's list;
    ``total`` counts the leads the limit left out."""
    latest = leads[6]
    ProcessDeadline.objects.filter(process_id=latest.pk, stopped_at__isnull=True).update(
        due_at=timezone.now() - dt.timedelta(hours=1)
    )
    sync_next_due([latest.pk])
    order = lead_by_lead(world.township.pk, "", timezone.now())[1]
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


def test_a_departments_room_is_the_open_leads_it_takes_part_in(world, leads):
    """A reader outside the township (a department) sees in its room the open
    leads it is a party of, however the query is driven (on SQLite from the
    open leads first), and their count is its list's length."""
    from oneteam.workflow.models import Party

    dept_user = world.dept_handler
    for event in leads[:4]:
        Party.objects.create(process=event.process, body=dept_user.body, role="copied")
    now = timezone.now()
    counts = selectors.room_counts(dept_user, now=now).counts
    listed = _listed(dept_user, now=now)
    assert sorted(listed) == sorted(e.pk for e in leads[:4]) and counts["total"] == 4
    assert selectors.room_counts(dept_user, township_id=world.township.pk, now=now).counts["total"] == 4
    assert selectors.room_counts(world.other_dispatcher, now=now).counts["total"] == 0
