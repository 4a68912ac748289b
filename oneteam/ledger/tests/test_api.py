import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from drf_spectacular.generators import SchemaGenerator

from oneteam.ledger.offline_verify import verify_checkpoint
from oneteam.ledger.services import make_checkpoint

from .helpers import add_entries

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ledger_urls")]

ENTRIES = "/api/v1/ledger-entries/"
LATEST = "/api/v1/ledger-checkpoints/latest/"


def test_ledger_entries_api_anonymous_refused(api_client):
    response = api_client.get(ENTRIES)
    assert response.status_code in (401, 403)
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize(
    "who,status",
    [
        ("officer", 403),
        ("dispatcher", 403),
        ("centre_dispatcher", 403),
        ("dept_handler", 403),
        ("supervisor", 200),
        ("admin", 200),
    ],
)
def test_ledger_entries_api_access_matrix(api_client, cast, who, status):
    add_entries(1)
    api_client.force_authenticate(getattr(cast, who))
    response = api_client.get(ENTRIES)
    assert response.status_code == status
    if status == 403:
        assert response.json()["code"] == "not_permitted"


def test_ledger_entries_api_filters_by_object_type_and_id(api_client, cast):
    add_entries(2, object_type="org.township", object_id="5")
    add_entries(1, object_type="org.township", object_id="6")
    add_entries(1, object_type="org.body", object_id="5")
    api_client.force_authenticate(cast.supervisor)
    response = api_client.get(ENTRIES, {"object_type": "org.township", "object_id": "5"})
    assert [(e["seq"], e["object_type"], e["object_id"]) for e in response.json()["results"]] == [
        (2, "org.township", "5"),
        (1, "org.township", "5"),
    ]


def test_ledger_entries_api_entry_by_seq_has_hashes(api_client, cast):
    entries = add_entries(2)
    api_client.force_authenticate(cast.admin)
    data = api_client.get(f"{ENTRIES}2/").json()
    assert (data["hash"], data["prev_hash"]) == (entries[1].hash, entries[0].hash)


def test_ledger_entries_api_cursor_pages_newest_first(api_client, cast):
    add_entries(5)
    api_client.force_authenticate(cast.admin)
    first = api_client.get(ENTRIES, {"page_size": 2}).json()
    assert [e["seq"] for e in first["results"]] == [5, 4]
    second = api_client.get(first["next"]).json()
    assert [e["seq"] for e in second["results"]] == [3, 2]


def test_ledger_entries_api_query_count_does_not_grow(api_client, cast):
    api_client.force_authenticate(cast.admin)
    add_entries(2)
    api_client.get(ENTRIES)
    with CaptureQueriesContext(connection) as before:
        api_client.get(ENTRIES)
    add_entries(30)
    with CaptureQueriesContext(connection) as after:
        api_client.get(ENTRIES)
    assert len(after) == len(before) <= 2  # roles (cached on the user), one keyset query: no COUNT
    assert len([q for q in after.captured_queries if "ledger_" in q["sql"]]) == 1


def test_ledger_checkpoints_latest_returns_signed_document(api_client, cast):
    add_entries(2)
    make_checkpoint()
    add_entries(1)
    latest, _ = make_checkpoint()
    api_client.force_authenticate(cast.officer)
    data = api_client.get(LATEST).json()
    assert data["id"] == latest.pk and data["tree_size"] == 3
    verify_checkpoint({k: v for k, v in data.items() if k != "id"})


def test_ledger_checkpoints_latest_none_yet_404(api_client, cast):
    api_client.force_authenticate(cast.officer)
    response = api_client.get(LATEST)
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_ledger_checkpoints_latest_anonymous_refused(api_client):
    assert api_client.get(LATEST).status_code in (401, 403)


def test_openapi_schema_includes_ledger_endpoints_without_errors():
    schema = SchemaGenerator(urlconf="oneteam.ledger.tests.urls").get_schema(request=None, public=True)
    assert {"/api/v1/ledger-entries/", "/api/v1/ledger-entries/{seq}/", "/api/v1/ledger-checkpoints/latest/"} <= set(
        schema["paths"]
    )
