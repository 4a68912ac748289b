"""Access matrix for every org page and API endpoint: anonymous, wrong role,
other township (404), right role."""

import datetime as dt

import pytest
from django.urls import reverse

from oneteam.core.testing import make_grid, make_village

pytestmark = pytest.mark.django_db


@pytest.fixture
def grids(cast):
    own = make_grid(make_village(cast.township), lng=120.60, lat=27.70)
    other = make_grid(make_village(cast.other_township), lng=120.70, lat=27.70)
    return own, other


PAGES = ["org:township-list", "org:map", "org:body-list", "org:people-list", "org:certificate-list", "home"]


@pytest.mark.parametrize("name", PAGES)
def test_page_anonymous_redirects_to_login(client, cast, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", PAGES)
def test_page_township_staff_gets_200(client, cast, name):
    client.force_login(cast.dispatcher)
    assert client.get(reverse(name)).status_code == 200


def test_township_detail_other_township_is_404(client, cast):
    client.force_login(cast.dispatcher)
    assert client.get(reverse("org:township-detail", args=[cast.township.pk])).status_code == 200
    assert client.get(reverse("org:township-detail", args=[cast.other_township.pk])).status_code == 404


def test_body_directory_links_only_the_townships_the_reader_can_open(client, cast):
    """The directory lists another township's bodies by name, without a link
    to that township's page (it would answer 404); the city centre gets both links."""
    own = reverse("org:township-detail", args=[cast.township.pk])
    other = reverse("org:township-detail", args=[cast.other_township.pk])
    client.force_login(cast.dispatcher)
    html = client.get(reverse("org:body-list")).content.decode()
    assert f'href="{own}"' in html and f'href="{other}"' not in html and cast.other_township.name in html
    client.force_login(cast.centre_dispatcher)
    html = client.get(reverse("org:body-list")).content.decode()
    assert f'href="{own}"' in html and f'href="{other}"' in html


def test_township_detail_command_centre_sees_both(client, cast):
    client.force_login(cast.centre_dispatcher)
    for t in (cast.township, cast.other_township):
        assert client.get(reverse("org:township-detail", args=[t.pk])).status_code == 200


def test_person_detail_other_township_is_404(client, cast):
    client.force_login(cast.dispatcher)
    assert client.get(reverse("org:person-detail", args=[cast.officer.pk])).status_code == 200
    assert client.get(reverse("org:person-detail", args=[cast.other_officer.pk])).status_code == 404


def test_grids_geojson_only_visible_grids(client, cast, grids):
    own, other = grids
    client.force_login(cast.dispatcher)
    data = client.get(reverse("org:grids-geojson")).json()
    assert {f["properties"]["code"] for f in data["features"]} == {own.code}
    client.force_login(cast.centre_dispatcher)
    data = client.get(reverse("org:grids-geojson")).json()
    assert {f["properties"]["code"] for f in data["features"]} == {own.code, other.code}


def test_township_list_shows_mode_per_date(client, cast):
    client.force_login(cast.centre_dispatcher)
    html = client.get(reverse("org:township-list"), {"date": "2022-08-30"}).content.decode()
    assert 'class="badge mode-empowered"' not in html  # no decision yet on that date
    html = client.get(reverse("org:township-list"), {"date": "2022-09-01"}).content.decode()
    assert 'class="badge mode-empowered"' in html


# ---------------------------------------------------------------- API


def test_api_anonymous_is_401_with_chinese_message(api_client, cast):
    response = api_client.get("/api/v1/townships/")
    assert response.status_code in (401, 403)
    assert response.json()["code"] == "not_authenticated"
    assert "登录" in response.json()["message"]


def test_api_townships_scoped_to_own_township(api_client, cast):
    api_client.force_authenticate(cast.dispatcher)
    data = api_client.get("/api/v1/townships/").json()
    assert [t["name"] for t in data["results"]] == ["甲镇"]
    assert data["results"][0]["mode"]["mode"] == "empowered"
    assert api_client.get(f"/api/v1/townships/{cast.other_township.pk}/").status_code == 404


def test_api_people_other_township_is_404(api_client, cast):
    api_client.force_authenticate(cast.dispatcher)
    assert api_client.get(f"/api/v1/people/{cast.officer.pk}/").status_code == 200
    response = api_client.get(f"/api/v1/people/{cast.other_officer.pk}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_api_write_wrong_role_is_403(api_client, cast):
    api_client.force_authenticate(cast.dispatcher)
    response = api_client.patch(f"/api/v1/townships/{cast.township.pk}/", {"name": "改名"}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "not_permitted"


def test_api_admin_update_writes_ledger(api_client, cast):
    from oneteam.ledger.models import LedgerEntry

    api_client.force_authenticate(cast.admin)
    response = api_client.patch(f"/api/v1/townships/{cast.township.pk}/", {"name": "甲镇（新）"}, format="json")
    assert response.status_code == 200, response.json()
    entry = LedgerEntry.objects.filter(object_type="org.township", action="master.update").get()
    assert entry.payload["changes"]["name"] == {"old": "甲镇", "new": "甲镇（新）"}
    assert entry.actor_id == cast.admin.pk


def test_api_delete_not_allowed(api_client, cast):
    api_client.force_authenticate(cast.admin)
    assert api_client.delete(f"/api/v1/townships/{cast.township.pk}/").status_code == 405


def test_api_mode_history_and_date_param(api_client, cast):
    api_client.force_authenticate(cast.centre_dispatcher)
    history = api_client.get(f"/api/v1/townships/{cast.township.pk}/mode-history/").json()
    assert [d["mode"] for d in history] == ["empowered"]
    data = api_client.get("/api/v1/townships/", {"date": "2020-01-01"}).json()
    assert all(t["mode"] is None for t in data["results"])
    bad = api_client.get("/api/v1/townships/", {"date": "2020-13-01"})
    assert bad.status_code == 400 and bad.json()["code"] == "bad_date"


def test_api_mode_decision_create_through_service(api_client, cast):
    api_client.force_authenticate(cast.admin)
    response = api_client.post("/api/v1/mode-decisions/", {
        "township": cast.other_township.pk, "mode": "hub_served", "hub": cast.township.pk,
        "effective_from": "2026-01-01", "decision_no": "测试〔2025〕9号",
    }, format="json")
    assert response.status_code == 201, response.json()
    assert cast.other_township.mode_on(dt.date(2026, 1, 2)).hub == cast.township


def test_api_locate_inside_and_outside(api_client, cast, grids):
    own, _other = grids
    api_client.force_authenticate(cast.centre_dispatcher)
    inside = api_client.get("/api/v1/locate/", {"lng": 120.605, "lat": 27.705}).json()
    assert inside["grid_code"] == own.code
    outside = api_client.get("/api/v1/locate/", {"lng": 121.9, "lat": 26.5})
    assert outside.status_code == 404 and outside.json()["code"] == "outside_grids"
    bad = api_client.get("/api/v1/locate/", {"lng": "x", "lat": 27})
    assert bad.status_code == 400


def test_api_schema_generates(api_client, cast):
    api_client.force_authenticate(cast.admin)
    response = api_client.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/townships/" in response.content
