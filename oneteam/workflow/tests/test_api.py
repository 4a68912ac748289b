"""The generated API: list/retrieve scoped, action endpoints, uploads, inbox,
notifications, error format, OpenAPI."""

from __future__ import annotations

import pytest

from oneteam.workflow import services
from oneteam.workflow.models import Notification

from .conftest import png

pytestmark = pytest.mark.django_db


def _report_body(sha, cast):
    return {"data": {"result": "已清理"}, "attachments": [sha], "officers": [cast.officer.pk, cast.officer2.pk]}


def test_list_anonymous_not_authenticated(api_client, start_drill):
    start_drill()
    r = api_client.get("/api/v1/drills/")
    assert r.status_code in (401, 403) and r.json()["code"] == "not_authenticated"


def test_list_scoped_by_visibility(api_client, cast, start_drill):
    p = start_drill()
    api_client.force_authenticate(cast.officer)
    r = api_client.get("/api/v1/drills/")
    assert r.status_code == 200
    row = r.json()["results"][0]
    assert row["number"] == p.number and row["state"] == "sent" and row["assignees"] == [cast.team.pk]
    api_client.force_authenticate(cast.other_dispatcher)
    assert api_client.get("/api/v1/drills/").json()["results"] == []


def test_retrieve_other_township_not_found(api_client, cast, start_drill):
    p = start_drill()
    api_client.force_authenticate(cast.other_dispatcher)
    r = api_client.get(f"/api/v1/drills/{p.pk}/")
    assert r.status_code == 404 and r.json() == {"code": "not_found", "message": "未找到。"}
    r = api_client.post(f"/api/v1/drills/{p.pk}/accept/", {}, format="json")
    assert r.status_code == 404


def test_retrieve_by_assignee_shows_detail_and_actions(api_client, cast, start_drill):
    p = start_drill()
    api_client.force_authenticate(cast.officer)
    body = api_client.get(f"/api/v1/drills/{p.pk}/").json()
    assert body["available_actions"] == ["accept"]
    assert body["record"]["address"] == "安阳街道1号"
    assert [t["action"] for t in body["transitions"]] == ["start"]
    assert body["deadlines"][0]["name"] == "response" and body["deadlines"][0]["status"]


def test_accept_by_right_role_ok(api_client, cast, start_drill):
    p = start_drill()
    api_client.force_authenticate(cast.officer)
    r = api_client.post(f"/api/v1/drills/{p.pk}/accept/", {"expected_version": 1}, format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["state"] == "accepted" and r.json()["version"] == 2


def test_accept_by_wrong_role_not_permitted(api_client, cast, start_drill):
    p = start_drill()
    api_client.force_authenticate(cast.auxiliary)
    r = api_client.post(f"/api/v1/drills/{p.pk}/accept/", {}, format="json")
    assert r.status_code == 403
    assert r.json()["code"] == "not_permitted" and "签收" in r.json()["message"]


def test_accept_stale_version_conflict(api_client, cast, start_drill):
    p = start_drill()
    services.perform(p, "accept", actor=cast.officer)
    api_client.force_authenticate(cast.officer2)
    r = api_client.post(f"/api/v1/drills/{p.pk}/suspend/", {"reason": "x", "expected_version": 1}, format="json")
    assert r.status_code == 409
    assert r.json() == {"code": "conflict", "message": "该事项已被他人处理，请刷新后重试。"}


def test_report_missing_fields_invalid_with_detail(api_client, cast, start_drill):
    p = start_drill()
    services.perform(p, "accept", actor=cast.officer)
    api_client.force_authenticate(cast.officer)
    r = api_client.post(f"/api/v1/drills/{p.pk}/report/", {}, format="json")
    assert r.status_code == 400
    assert r.json()["code"] == "fields_required" and r.json()["detail"] == {"missing": ["result"]}
    r = api_client.post(f"/api/v1/drills/{p.pk}/report/", {"attachments": ["nothex"]}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "invalid"


def test_upload_then_report_with_sha(api_client, cast, start_drill):
    p = start_drill()
    services.perform(p, "accept", actor=cast.officer)
    api_client.force_authenticate(cast.officer)
    r = api_client.post("/api/v1/attachments/", {"file": png("现场.png")}, format="multipart")
    assert r.status_code == 201, r.json()
    up = r.json()
    assert up["original_name"] == "现场.png" and up["content_type"] == "image/png" and len(up["sha256"]) == 64
    r = api_client.post(f"/api/v1/drills/{p.pk}/report/", _report_body(up["sha256"], cast), format="json")
    assert r.status_code == 200, r.json()
    report = r.json()["transitions"][-1]
    assert report["action"] == "report" and report["attachments"][0]["sha256"] == up["sha256"]
    api_client.force_authenticate(cast.other_officer)
    assert api_client.get(f"/api/v1/attachments/{up['id']}/").status_code == 404


def test_upload_text_file_refused(api_client, cast):
    from django.core.files.uploadedfile import SimpleUploadedFile

    api_client.force_authenticate(cast.officer)
    f = SimpleUploadedFile("a.pdf", b"hello", content_type="application/pdf")
    r = api_client.post("/api/v1/attachments/", {"file": f}, format="multipart")
    assert r.status_code == 400 and r.json()["code"] == "file_type_not_allowed"


def test_inbox_tabs_by_user(api_client, cast, start_drill):
    p = start_drill()
    cases = [
        (cast.officer, "todo", True),
        (cast.dispatcher, "todo", True),
        (cast.dispatcher, "initiated", True),
        (cast.dept_handler, "copied", True),
        (cast.dept_handler, "todo", False),
        (cast.auxiliary, "todo", False),
        (cast.other_dispatcher, "todo", False),
        (cast.admin, "todo", False),
    ]
    for user, tab, expected in cases:
        api_client.force_authenticate(user)
        ids = [x["id"] for x in api_client.get(f"/api/v1/inbox/?tab={tab}").json()["results"]]
        assert (p.pk in ids) is expected, (user.username, tab)
    api_client.force_authenticate(cast.officer)
    assert api_client.get("/api/v1/inbox/?tab=nope").json()["code"] == "unknown_tab"


def test_notifications_list_and_mark_read(api_client, cast, start_drill):
    p = start_drill()
    Notification.objects.all().delete()  # only the notices made below
    Notification.objects.create(user=cast.officer, process=p, verb="drill.start", text="新事项")
    Notification.objects.create(user=cast.officer2, process=p, verb="drill.start", text="别人的")
    api_client.force_authenticate(cast.officer)
    assert api_client.get("/api/v1/notifications/unread-count/").json() == {"count": 1}
    assert [n["text"] for n in api_client.get("/api/v1/notifications/").json()["results"]] == ["新事项"]
    assert api_client.post("/api/v1/notifications/read/", {}, format="json").json() == {"count": 1}
    assert api_client.get("/api/v1/notifications/unread-count/").json() == {"count": 0}


def test_openapi_schema_with_flow_has_action_endpoints(drill_flow):
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    assert "/api/v1/drills/{id}/report/" in schema["paths"]
    assert "/api/v1/inbox/" in schema["paths"] and "/api/v1/attachments/" in schema["paths"]


def test_list_counts_only_as_far_as_it_can_page(api_client, cast, start_drill, monkeypatch):
    """Past the counted limit ``count`` is a lower bound (``count_exact``
    false) and ``next`` still leads on; a page from which the end is in reach,
    and ``?page=last``, count exactly; a page past the end is a 404 in the
    error format."""
    from oneteam.core import paging

    made = [start_drill() for _ in range(4)]
    monkeypatch.setattr(paging, "COUNT_AT_LEAST", 1)
    monkeypatch.setattr(paging, "COUNT_PAGES_AHEAD", 1)
    api_client.force_authenticate(cast.officer)
    first = api_client.get("/api/v1/drills/?page_size=1").json()
    assert (first["count"], first["count_exact"]) == (2, False)
    assert [r["number"] for r in first["results"]] == [made[-1].number] and "page=2" in first["next"]
    second = api_client.get("/api/v1/drills/?page_size=1&page=2").json()
    assert (second["count"], second["count_exact"]) == (3, False) and "page=3" in second["next"]
    fourth = api_client.get("/api/v1/drills/?page_size=1&page=4").json()
    assert (fourth["count"], fourth["count_exact"], fourth["next"]) == (4, True, None)
    assert [r["number"] for r in fourth["results"]] == [made[0].number]
    last = api_client.get("/api/v1/drills/?page_size=1&page=last").json()
    assert (last["count"], last["count_exact"]) == (4, True)
    assert [r["number"] for r in last["results"]] == [made[0].number]
    whole = api_client.get("/api/v1/drills/").json()
    assert (whole["count"], whole["count_exact"], len(whole["results"])) == (4, True, 4)
    for page, message in (("9", "没有第 9 页（共 4 页）。"), ("0", "没有第 0 页。"),
                          ("abc", "页码应为正整数或 last。")):
        missing = api_client.get(f"/api/v1/drills/?page_size=1&page={page}")
        assert missing.status_code == 404, page
        assert missing.json() == {"code": "not_found", "message": message}, page


@pytest.mark.parametrize("url", ["/api/v1/drills/?order=due", "/api/v1/inbox/?tab=todo"])
def test_list_reads_keys_first_in_a_fixed_number_of_queries(api_client, cast, start_drill, url):
    """The count and the sorted page carry the keys alone; the page's rows,
    parties and open deadlines are read by key: the same number of queries
    for 1 row as for 6."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api_client.force_authenticate(cast.officer)
    start_drill()
    api_client.get(url)  # the reader's scope, remembered for the next requests
    with CaptureQueriesContext(connection) as one:
        assert len(api_client.get(url).json()["results"]) == 1
    made = [start_drill() for _ in range(5)]
    with CaptureQueriesContext(connection) as six:
        rows = api_client.get(url).json()["results"]
    assert len(rows) == 6 and {r["number"] for r in rows} >= {p.number for p in made}
    assert len(six.captured_queries) == len(one.captured_queries)
    ordered = [q["sql"] for q in six.captured_queries if "ORDER BY" in q["sql"] and "LIMIT" in q["sql"]]
    assert ordered, "the page's keys are read in order, with a LIMIT"
    for sql in ordered:  # keys only: no joined row data in the sorted query
        head = sql.split(" FROM ")[0]
        assert "title" not in head and "workflow_party" not in head, sql
