"""The wall's data at city scale: counts from SQL aggregates that agree with
the command room's scan, and past days memoised for users who see every lead
— dropped when a past lead is reclassified, kept apart from today's, and
complete only ``SETTLE`` after midnight."""

import datetime as dt

import pytest
from django.utils import timezone

from oneteam.command import selectors, services
from oneteam.command.choices import Level
from oneteam.command.models import Event, EventCategory
from oneteam.command.services import Intake
from oneteam.workflow.models import Process, ProcessDeadline
from oneteam.workflow.services import perform, sync_next_due

from .room_oracle import lead_by_lead

pytestmark = pytest.mark.django_db


def _report(world, lng=120.61, lat=27.71, actor=None, **kw):
    kw.setdefault("category", "ZDJY")
    return services.report_event(Intake(channel="grid_patrol", description="占道", lng=lng, lat=lat, **kw),
                                 actor=actor or world.gridder).event


def _local(day: dt.date, hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute, second)))


def _noon(days_ago: int) -> dt.datetime:
    """Local noon ``days_ago`` days back: on that local day whenever the suite runs."""
    return _local(timezone.localdate() - dt.timedelta(days=days_ago), 12)


def _backdate(event: Event, when: dt.datetime) -> None:
    Process.objects.filter(pk=event.process_id).update(created_at=when)


def test_room_counts_agree_with_lead_by_lead(world):
    """Every bucket, overdue / due today / no running clock, urgency, both
    townships, for the city centre and for each township's room."""
    now = _local(timezone.localdate(), 12)
    here = [_report(world) for _ in range(5)]
    urgent = _report(world, urgency="urgent")
    there = _report(world, lng=120.71, actor=world.centre_dispatcher)
    states = ["reported", "filed", "dispatched", "suspended", "reported_back"]
    for event, state in zip(here, states, strict=True):
        Process.objects.filter(pk=event.process_id).update(state=state)
    clocks = ProcessDeadline.objects.filter(stopped_at__isnull=True)
    clocks.filter(process_id=here[0].process_id).update(due_at=now - dt.timedelta(hours=1))  # overdue
    clocks.filter(process_id=here[1].process_id).update(due_at=now + dt.timedelta(hours=3))  # due today
    clocks.filter(process_id=urgent.process_id).update(due_at=now - dt.timedelta(days=2))  # overdue and urgent
    clocks.filter(process_id=here[2].process_id).update(stopped_at=now)  # no running clock
    clocks.filter(process_id=there.process_id).update(due_at=now)  # due now: today, not yet overdue
    # Suspended with its clock pinned past today: its own deadline, counted from
    # when the suite runs, could fall either side of ``now``.
    clocks.filter(process_id=here[3].process_id).update(due_at=now + dt.timedelta(days=3))
    Process.objects.filter(pk=here[4].process_id).update(closed_at=now)  # closed: not counted at all
    sync_next_due(Process.objects.values_list("pk", flat=True))

    for user, township_id in ((world.centre_dispatcher, None), (world.dispatcher, world.township.pk),
                              (world.other_dispatcher, world.other_township.pk)):
        counts, _order, table = lead_by_lead(township_id, "", now)
        room = selectors.room_counts(user, now=now)
        assert room.counts == counts, user.username
        assert {row["township_id"]: {k: v for k, v in row.items() if k not in ("township_id", "township__name")}
                for row in room.areas} == table
    city = selectors.room_counts(world.centre_dispatcher, now=now)
    assert city.counts["total"] == 6 and city.counts["overdue"] == 2 and city.counts["due_today"] == 2
    assert city.counts["urgent"] == 1 and city.counts["to_dispatch"] == 1
    assert [(r["township_id"], r["open"], r["overdue"], r["urgent"]) for r in city.areas] == [
        (world.township.pk, 5, 2, 1), (world.other_township.pk, 1, 0, 0)]
    assert selectors.room_counts(world.other_dispatcher, now=now).counts["total"] == 1


def test_past_days_are_read_once_today_on_every_poll(world, django_assert_num_queries):
    """After the first poll only today's leads are read for a user who sees
    everything; a lead reported today counts at once."""
    yesterday = _report(world)
    _backdate(yesterday, _noon(1))
    user = world.centre_dispatcher
    assert sum(r["n"] for r in selectors.recent_activity(user).trend) == 1
    assert sum(n for *_p, n in selectors.heat_cells(user)) == 1
    _report(world)
    with django_assert_num_queries(2):  # today's groups, the category names
        activity = selectors.recent_activity(user)
    assert [r["n"] for r in activity.trend][-2:] == [1, 1]
    with django_assert_num_queries(1):
        assert [n for *_p, n in selectors.heat_cells(user)] == [2]
    # Another window is kept beside it, not in its place.
    assert sum(r["n"] for r in selectors.recent_activity(user, days=7).trend) == 2
    with django_assert_num_queries(2):
        selectors.recent_activity(user)
    # A township's room reads its whole window (what it sees depends on parties).
    assert sum(r["n"] for r in selectors.recent_activity(world.dispatcher).trend) == 2


def test_a_townships_past_days_are_kept_for_its_room(world, django_assert_num_queries):
    """A township room sees every lead of its township, so its wall keeps
    its township's past days too (apart from the city's and from other
    townships'); a lead reported today counts at once, another township's never."""
    _backdate(_report(world), _noon(2))
    _backdate(_report(world, lng=120.71, actor=world.centre_dispatcher), _noon(2))
    here = world.township.pk
    assert sum(r["n"] for r in selectors.recent_activity(world.dispatcher, township_id=here).trend) == 1
    assert sum(r["n"] for r in selectors.recent_activity(world.centre_dispatcher).trend) == 2
    _report(world)
    with django_assert_num_queries(2):  # today's groups, the category names
        activity = selectors.recent_activity(world.dispatcher, township_id=here)
    assert [r["n"] for r in activity.trend][-3:] == [1, 0, 1]
    # The city centre choosing the township reads the same kept days.
    with django_assert_num_queries(2):
        assert selectors.recent_activity(world.centre_dispatcher, township_id=here).trend == activity.trend
    # Another township's room naming this township sees none of it.
    assert sum(r["n"] for r in selectors.recent_activity(world.other_dispatcher, township_id=here).trend) == 0
    assert selectors.heat_cells(world.other_dispatcher, township_id=here) == []


def test_reclassifying_a_past_lead_drops_the_kept_days(world, django_assert_num_queries):
    """Filing yesterday's lead under another category moves it on the wall at
    once (``Event.save`` drops the memo); a save that changes nothing counted
    keeps it."""
    EventCategory.objects.create(code="LJDF", name="乱堆乱放", filing_conditions=["有堆放物"],
                                 respond_kind="working_hours", respond_amount=2, handle_kind="working_days",
                                 handle_amount=1, level=Level.TOWNSHIP)
    event = _report(world)
    _backdate(event, _noon(1))
    user = world.centre_dispatcher
    assert selectors.recent_activity(user).categories == [{"name": "占道经营", "n": 1}]
    Event.objects.get(pk=event.pk).save()  # nothing counted changed: the kept days stay
    with django_assert_num_queries(2):
        selectors.recent_activity(user)
    perform(Process.objects.get(pk=event.process_id), "file", actor=world.dispatcher,
            data={"category": "LJDF", "conditions": ["有堆放物"]})
    assert selectors.recent_activity(user).categories == [{"name": "乱堆乱放", "n": 1}]


def test_a_day_is_kept_only_settle_after_its_midnight(world, monkeypatch):
    """At 00:05 yesterday is still read live, so a lead stamped 23:59:59 that
    commits after midnight is counted; from 00:10 yesterday is kept."""
    today = timezone.localdate()
    user = world.centre_dispatcher
    clock = {"now": _local(today, 0, 5)}
    monkeypatch.setattr(timezone, "now", lambda: clock["now"])
    early = _report(world)
    _backdate(early, _local(today - dt.timedelta(days=1), 9))
    assert [r["n"] for r in selectors.recent_activity(user).trend][-2:] == [1, 0]
    late = _report(world)  # stamped before midnight, committed after the first poll
    _backdate(late, _local(today - dt.timedelta(days=1), 23, 59, 59))
    assert [r["n"] for r in selectors.recent_activity(user).trend][-2:] == [2, 0]
    clock["now"] = _local(today, 0) + selectors.SETTLE
    assert [r["n"] for r in selectors.recent_activity(user).trend][-2:] == [2, 0]


def test_wall_data_queries_are_pinned_whatever_the_leads(client, world):
    """A poll costs a fixed number of queries: the session, the user, their
    body, its sub-bodies and roles (5), counts (1), townships (1), today's
    groups and category names (2), today's cells (1); the first poll also
    reads the memo's generation and the past days' groups and cells (3)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    client.force_login(world.centre_dispatcher)

    def poll() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("command:wall-data")).status_code == 200
        return len(queries)

    for days_ago in (1, 2, 5):
        _backdate(_report(world), _noon(days_ago))
    first, again = poll(), poll()
    for _ in range(4):
        _report(world)
        _report(world, lng=120.71, actor=world.centre_dispatcher)
    assert (first, again) == (13, 10) and poll() == again


def test_a_townships_wall_counts_its_township_as_its_room_does(client, world):
    """A township room's wall shows its township's leads, read through the
    township (the room's access short-cut), not every process's parties —
    several seconds at 10⁶ leads."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    _backdate(_report(world), _noon(3))
    _report(world, urgency="urgent")
    _report(world, lng=120.71, actor=world.centre_dispatcher)  # the other township's
    client.force_login(world.dispatcher)
    with CaptureQueriesContext(connection) as queries:
        data = client.get(reverse("command:wall-data")).json()
    room = selectors.room_counts(world.dispatcher, township_id=world.township.pk)
    assert data["counts"] == room.counts and data["counts"]["total"] == 2
    assert sum(r["n"] for r in data["trend"]) == 2 and sum(n for *_p, n in data["heat"]) == 2
    assert not [q for q in queries if "workflow_party" in q["sql"]]


def test_a_townships_wall_ranks_its_villages(client, world):
    """A township's wall ranks its villages (the city's ranks townships);
    leads with an address but no point are counted apart, not dropped."""
    from django.urls import reverse

    _report(world)
    _report(world, urgency="urgent")
    services.report_event(Intake(channel="grid_patrol", category="ZDJY", description="占道", address="东村路口",
                                 township=world.township),
                          actor=world.gridder)
    client.force_login(world.dispatcher)
    assert "各村(社区)在办与超期" in client.get(reverse("command:wall")).content.decode()
    assert client.get(reverse("command:wall-data")).json()["areas"] == [
        {"name": world.village.name, "open": 2, "overdue": 0}, {"name": "未落到村(社区)", "open": 1, "overdue": 0}]
    client.force_login(world.centre_dispatcher)
    assert "各乡镇(街道)在办与超期" in client.get(reverse("command:wall")).content.decode()
    assert client.get(reverse("command:wall-data")).json()["areas"] == [
        {"name": world.township.name, "open": 3, "overdue": 0}]


def test_a_city_user_opens_one_townships_wall_and_bad_input_is_404(client, world):
    """The wall takes the township the room does (``?township=``): a city-level
    user sees that township's wall, its links keep the township; a township
    that does not exist or is not a number is 404, not an error page."""
    from django.urls import reverse

    _report(world)
    _report(world, lng=120.71, actor=world.centre_dispatcher)
    client.force_login(world.centre_dispatcher)
    query = f"?township={world.other_township.pk}"
    page = client.get(reverse("command:wall") + query).content.decode()
    assert f"{world.other_township.name}行政执法协同指挥大屏" in page and "各村(社区)在办与超期" in page
    assert f'data-url="{reverse("command:wall-data")}{query}"' in page
    assert f'?bucket=overdue&amp;township={world.other_township.pk}"' in page
    assert client.get(reverse("command:wall-data") + query).json()["counts"]["total"] == 1
    assert client.get(reverse("command:wall-data")).json()["counts"]["total"] == 2
    for bad in ("abc", "999999", "-1"):
        assert client.get(reverse("command:wall-data") + f"?township={bad}").status_code == 404
        assert client.get(reverse("command:room") + f"?township={bad}").status_code == 404
    client.force_login(world.dispatcher)  # a township's own, whatever the query asks
    assert client.get(reverse("command:wall-data") + query).json()["counts"]["total"] == 1
