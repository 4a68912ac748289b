import datetime as dt

import pytest
from django.urls import reverse

from oneteam.command import services
from oneteam.command.choices import Channel
from oneteam.command.services import Intake
from oneteam.workflow.services import perform

pytestmark = pytest.mark.django_db

PAGES = ["command:room", "command:report", "command:patrol", "command:wall", "command:wall-data",
         "command:events-geojson"]


def _report(world, **kw):
    return services.report_event(Intake(channel="grid_patrol", category="ZDJY", description="占道", lng=120.61,
                                        lat=27.71, **kw), actor=world.gridder).event


@pytest.mark.parametrize("name", PAGES)
def test_page_anonymous_redirects_to_login(client, world, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("name", PAGES)
def test_page_dispatcher_gets_200(client, world, name):
    client.force_login(world.dispatcher)
    assert client.get(reverse(name)).status_code == 200


def test_room_lists_own_township_only(client, world):
    event = _report(world)
    client.force_login(world.dispatcher)
    assert event.process.number in client.get(reverse("command:room")).content.decode()
    client.force_login(world.other_dispatcher)
    assert event.process.number not in client.get(reverse("command:room")).content.decode()
    assert client.get(reverse("command:events-geojson")).json() == {"type": "FeatureCollection", "total": 0,
                                                                     "features": []}


def test_map_geojson_gives_points_and_total(client, world):
    event = _report(world, urgency="urgent")
    client.force_login(world.dispatcher)
    data = client.get(reverse("command:events-geojson")).json()
    assert data["total"] == 1
    assert data["features"] == [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [120.61, 27.71]},
                                 "properties": {"id": event.pk, "number": event.process.number, "state": "reported",
                                                "category": event.category.name, "urgent": True, "overdue": False}}]


def test_room_city_centre_sees_township_table(client, world):
    _report(world)
    client.force_login(world.centre_dispatcher)
    html = client.get(reverse("command:room")).content.decode()
    assert world.township.name in html


def test_room_query_count_is_constant(client, world, django_assert_max_num_queries):
    for _ in range(5):
        _report(world)
    client.force_login(world.dispatcher)
    client.get(reverse("command:room"))  # warm caches (calendar, session)
    with django_assert_max_num_queries(13):
        client.get(reverse("command:room"))
    for _ in range(10):
        _report(world)
    with django_assert_max_num_queries(13):
        client.get(reverse("command:room"))


@pytest.mark.parametrize("bucket", ["", "to_file", "to_dispatch", "overdue", "due_today", "urgent", "nonsense"])
def test_room_paginates_by_the_bucket_count(client, world, bucket):
    """The paginator pages the scan's list of keys: its count is the number of
    leads the bucket lists, and only state buckets and overdue/due today filter."""
    events = [_report(world) for _ in range(5)]
    for event in events[:2]:
        perform(event.process, "file", actor=world.dispatcher, data={"conditions": ["存在摆摊设点经营行为"]})
    client.force_login(world.dispatcher)
    response = client.get(reverse("command:room"), {"bucket": bucket})
    page = response.context["page"]
    listed = list(page.paginator.object_list)
    assert page.paginator.count == len(listed)
    # "urgent" and unknown names are no list filters; overdue and due today depend on the clock.
    expected = {"": 5, "to_file": 3, "to_dispatch": 2, "urgent": 5, "nonsense": 5}
    if bucket in expected:
        assert len(listed) == expected[bucket]


def test_quick_dispatch_sends_to_proposal(client, world):
    event = _report(world)
    perform(event.process, "file", actor=world.dispatcher, data={"conditions": ["存在摆摊设点经营行为"]})
    event.proposed_body = world.team
    event.save(update_fields=["proposed_body"])
    client.force_login(world.dispatcher)
    client.post(reverse("command:quick-dispatch", args=[event.pk]))
    event.process.refresh_from_db()
    assert event.process.state == "dispatched"


def test_quick_dispatch_other_township_is_404(client, world):
    event = _report(world)
    client.force_login(world.other_dispatcher)
    assert client.post(reverse("command:quick-dispatch", args=[event.pk])).status_code == 404


def test_report_page_files_a_lead(client, world):
    client.force_login(world.gridder)
    response = client.post(reverse("command:report"), {
        "category": "ZDJY", "description": "菜场门口占道", "urgency": "normal", "lng": "120.61", "lat": "27.71",
        "channel": "grid_patrol", "idempotency_key": "k1",
    })
    assert response.status_code == 302
    assert "/flows/events/" in response["Location"]
    again = client.post(reverse("command:report"), {
        "category": "ZDJY", "description": "菜场门口占道", "urgency": "normal", "lng": "120.61", "lat": "27.71",
        "channel": "grid_patrol", "idempotency_key": "k1",
    })
    assert again["Location"] == response["Location"]


def test_report_page_point_in_sea_shows_error(client, world):
    client.force_login(world.gridder)
    response = client.post(reverse("command:report"), {
        "category": "ZDJY", "description": "x", "urgency": "normal", "lng": "122.5", "lat": "26.0",
        "channel": "grid_patrol",
    })
    assert response.status_code == 200
    assert "不在本市任何网格内" in response.content.decode()


def test_wall_data_counts(client, world):
    _report(world, urgency="urgent")
    client.force_login(world.centre_dispatcher)
    data = client.get(reverse("command:wall-data")).json()
    assert data["counts"]["total"] == 1 and data["counts"]["urgent"] == 1
    assert data["areas"] == [{"name": world.township.name, "open": 1, "overdue": 0}]


def test_wall_heat_counts_every_lead_per_cell_in_scope(client, world):
    """Leads of the last 30 days are counted per ~500 m cell, busiest first;
    another township's leads stay out of a township dispatcher's map."""
    from oneteam.command.selectors import HEAT_CELL

    def at(lng, lat, actor=world.gridder):
        services.report_event(Intake(channel="grid_patrol", category="ZDJY", description="占道", lng=lng, lat=lat),
                              actor=actor)

    for _ in range(3):
        at(120.61, 27.71)
    at(120.6011, 27.7012)  # another cell, same township
    at(120.71, 27.71, world.centre_dispatcher)  # the other township
    client.force_login(world.dispatcher)
    heat = client.get(reverse("command:wall-data")).json()["heat"]
    assert [n for _lng, _lat, n in heat] == [3, 1]
    lng, lat, _n = heat[0]
    assert abs(lng - 120.61) <= HEAT_CELL / 2 + 1e-9 and abs(lat - 27.71) <= HEAT_CELL / 2 + 1e-9
    client.force_login(world.centre_dispatcher)
    assert sorted(n for *_p, n in client.get(reverse("command:wall-data")).json()["heat"]) == [1, 1, 3]


def test_wall_recent_activity_per_day_channel_and_category(client, world):
    """Today's leads counted once per day, per channel (busiest first) and per category."""
    from django.utils import timezone

    for channel in ("grid_patrol", "grid_patrol", "hotline"):
        services.report_event(Intake(channel=channel, category="ZDJY", description="占道", lng=120.61, lat=27.71),
                              actor=world.gridder)
    client.force_login(world.centre_dispatcher)
    data = client.get(reverse("command:wall-data")).json()
    today = timezone.localdate()
    assert [r["day"] for r in data["trend"]] == [(today - dt.timedelta(days=29 - i)).isoformat() for i in range(30)]
    assert [r["n"] for r in data["trend"]] == [0] * 29 + [3]
    assert [c["value"] for c in data["channels"]] == [2, 1]
    assert data["channels"][0]["name"] == str(Channel("grid_patrol").label)
    assert data["categories"] == [{"name": "占道经营", "value": 3}]
    client.force_login(world.other_dispatcher)  # another township's room sees none of them
    data = client.get(reverse("command:wall-data")).json()
    assert {r["n"] for r in data["trend"]} == {0} and data["channels"] == [] and data["categories"] == []


def test_wall_window_starts_at_local_midnight_of_its_first_day(client, world):
    """The 30 days are today and the 29 before it, from local midnight: a lead
    filed one second before is out of the trend and the heat map, one filed
    at midnight is on the first day."""
    from django.utils import timezone

    from oneteam.workflow.models import Process

    first = timezone.localdate() - dt.timedelta(days=29)
    midnight = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    inside, outside = _report(world), _report(world)
    Process.objects.filter(pk=inside.pk).update(created_at=midnight)
    Process.objects.filter(pk=outside.pk).update(created_at=midnight - dt.timedelta(seconds=1))
    client.force_login(world.centre_dispatcher)
    data = client.get(reverse("command:wall-data")).json()
    assert data["trend"][0] == {"day": first.isoformat(), "n": 1}
    assert sum(r["n"] for r in data["trend"]) == 1
    assert [n for *_p, n in data["heat"]] == [1]


def test_wall_names_the_users_city_or_township(client, world):
    """The title comes from the configuration, not a fixed city: the city for
    city-level users, the township for a township's room."""
    from oneteam.org.models import City

    City.objects.filter(pk=world.city.pk).update(name="平阳县")
    client.force_login(world.centre_dispatcher)
    page = client.get(reverse("command:wall")).content.decode()
    assert "平阳县行政执法协同指挥大屏" in page and "瑞安市" not in page
    client.force_login(world.dispatcher)
    assert f"{world.township.name}行政执法协同指挥大屏" in client.get(reverse("command:wall")).content.decode()
