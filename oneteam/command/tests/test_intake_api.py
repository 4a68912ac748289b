"""REST intake ``POST /api/v1/event-reports/``: staff users (session/token)
and external systems (X-API-Key), JSON and multipart, idempotent retries,
error codes, and nothing stored on refusal."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from oneteam.command.models import Event
from oneteam.command.services_keys import issue_key
from oneteam.command.tests import test_loop as loop
from oneteam.core.testing import make_user
from oneteam.org.choices import Role
from oneteam.workflow.models import Attachment, Process

pytestmark = pytest.mark.django_db

URL = "/api/v1/event-reports/"


def body(**kw):
    return {"category": "ZDJY", "description": "东村菜场门口占道摆摊", "lng": 120.61, "lat": 27.71, **kw}


@pytest.fixture
def officer_client(world):
    client = APIClient()
    client.force_authenticate(world.gridder)
    return client


@pytest.fixture
def system_client(world):
    system, key = issue_key("12345热线", body=world.command_centre)
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=key)
    client.system = system
    return client


def test_grid_officer_reports_event(officer_client, world):
    response = officer_client.post(URL, body(reporter_name="王五", reporter_phone="13800000000",
                                             urgency="urgent", dissuasion_outcome="continuing"), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["number"].startswith("SJ") and data["state"] == "reported" and data["state_label"] == "待立案"
    assert data["dispatching_body"] == {"id": world.command_room.pk, "name": world.command_room.name}
    assert data["proposed_body"] is None and data["proposal_reasons"] and data["duplicates"] == []
    assert data["grid"] == world.grid.code and data["township"] == world.township.name
    event = Event.objects.get(pk=data["id"])
    assert event.channel == "grid_patrol" and event.reporter_user == world.gridder
    assert event.reporter_name == "王五" and event.urgency == "urgent"
    assert event.dissuaded is True and event.dissuasion_outcome == "continuing"


def test_token_auth_and_default_channel_for_officer(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=world.officer).key}")
    response = client.post(URL, body(), format="json")
    assert response.status_code == 201, response.content
    assert Event.objects.get(pk=response.json()["id"]).channel == "staff_discovery"


def test_session_auth_needs_csrf(world):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(world.gridder)
    response = client.post(URL, body(), format="json")
    assert response.status_code == 403 and response.json()["code"] == "not_permitted"
    assert not Event.objects.exists()


def test_idempotency_key_replay_returns_same_body(officer_client):
    headers = {"Idempotency-Key": "app-uuid-1"}
    first = officer_client.post(URL, body(), format="json", headers=headers)
    again = officer_client.post(URL, body(), format="json", headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    assert Event.objects.count() == 1


def test_duplicates_listed_in_response(officer_client):
    first = officer_client.post(URL, body(), format="json").json()
    second = officer_client.post(URL, body(lng=120.6102, lat=27.7101), format="json").json()
    assert [d["number"] for d in second["duplicates"]] == [first["number"]]
    assert 0 < second["duplicates"][0]["distance_m"] < 100


def test_external_system_key_reports_and_retries(system_client, world):
    headers = {"Idempotency-Key": "GD-20260506-1"}
    first = system_client.post(URL, body(external_id="GD-20260506-1"), format="json", headers=headers)
    again = system_client.post(URL, body(external_id="GD-20260506-1"), format="json", headers=headers)
    assert (first.status_code, again.status_code) == (201, 200) and first.json() == again.json()
    event = Event.objects.get()
    assert event.external_system == system_client.system and event.channel == "external_system"
    assert event.reporter_user is None and event.external_id == "GD-20260506-1"


def test_external_system_cannot_claim_another_channel(system_client):
    response = system_client.post(URL, body(channel="grid_patrol"), format="json")
    assert response.status_code == 400 and response.json()["code"] == "channel_mismatch"
    assert not Event.objects.exists()


def test_multipart_with_photos(officer_client):
    response = officer_client.post(URL, {**body(), "photos": [loop.photo("a.png"), loop.photo("b.png")]},
                                   format="multipart")
    assert response.status_code == 201, response.content
    assert response.json()["photos"] == 2
    process = Process.objects.get(pk=response.json()["id"])
    assert process.attachments.filter(transition__seq=1).count() == 2


def test_multipart_photos_bracket_name(officer_client):
    response = officer_client.post(URL, {**body(), "photos[]": [loop.photo()]}, format="multipart")
    assert response.status_code == 201, response.content
    assert response.json()["photos"] == 1


def test_non_image_upload_refused_and_nothing_stored(officer_client):
    script = SimpleUploadedFile("photo.png", b"#!/bin/sh\necho hacked\n", content_type="image/png")
    before = (Process.objects.count(), Attachment.objects.count())
    response = officer_client.post(URL, {**body(), "photos": [loop.photo(), script]}, format="multipart")
    assert response.status_code == 400
    assert response.json()["code"] == "file_type_not_allowed" and response.json()["message"]
    assert (Process.objects.count(), Attachment.objects.count()) == before


def test_external_system_photos_recorded_under_the_system(system_client):
    response = system_client.post(URL, {**body(), "photos": [loop.photo()]}, format="multipart")
    assert response.status_code == 201, response.content
    attachment = Attachment.objects.get()
    assert attachment.uploaded_by is None and attachment.uploaded_by_name
    assert attachment.process_id == Event.objects.get().process_id
    assert attachment.uploaded_by_body_id is not None


@pytest.mark.parametrize(("fields", "code"), [
    ({"lng": 121.9, "lat": 26.0}, "outside_grids"),
    ({"lng": None, "lat": None}, "location_required"),
    ({"description": "长" * 5000}, "description_too_long"),
    ({"description": ""}, "description_required"),
    ({"category": "NOPE"}, "unknown_category"),
    ({"lng": None, "lat": None, "address": "北街1号", "township": "火星镇"}, "unknown_township"),
    ({"lat": "abc"}, "invalid"),
    ({"urgency": "very"}, "invalid"),
])
def test_bad_reports_refused_with_code_and_nothing_stored(officer_client, fields, code):
    response = officer_client.post(URL, body(**fields), format="json")
    assert response.status_code == 400
    data = response.json()
    assert data["code"] == code and data["message"]
    assert not Process.objects.exists()


def test_address_and_township(officer_client, world):
    response = officer_client.post(URL, body(lng=None, lat=None, address="甲镇北街1号", township="甲镇"),
                                   format="json")
    assert response.status_code == 201, response.content
    assert response.json()["grid"] is None and response.json()["township"] == "甲镇"


# ---------------------------------------------------------------- access


def test_anonymous_is_401_json():
    response = APIClient().post(URL, body(), format="json")
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"


def test_bad_api_key_is_401_json(world):
    client = APIClient()
    client.credentials(HTTP_X_API_KEY="ot_AAAAAAAA_wrong")
    response = client.post(URL, body(), format="json")
    assert response.status_code == 401 and response.json()["code"] == "authentication_failed"
    assert not Process.objects.exists()


def test_user_without_body_is_403(world):
    client = APIClient()
    client.force_authenticate(make_user(None, Role.GRID_OFFICER))
    response = client.post(URL, body(), format="json")
    assert response.status_code == 403 and response.json()["code"] == "no_body"


def test_external_key_cannot_read_kernel_events(system_client, officer_client):
    officer_client.post(URL, body(), format="json")
    for url in ("/api/v1/events/", f"/api/v1/events/{Process.objects.get().pk}/"):
        response = system_client.get(url)
        assert response.status_code in (401, 403) and response.json()["code"] in ("not_authenticated",
                                                                                  "not_permitted")


def test_report_is_not_readable_through_intake_route(system_client):
    assert system_client.get(URL).status_code == 405


def test_schema_documents_intake(officer_client):
    response = officer_client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    assert "/api/v1/event-reports/" in response.json()["paths"]
