"""Calendar and deadline API: access matrix and shapes."""

from __future__ import annotations

import pytest

from oneteam.ledger.models import LedgerEntry
from oneteam.worktime.models import HolidayNotice

pytestmark = pytest.mark.django_db

NOTICE_2027 = "年份： 2027\n放假， 元旦， 2027-01-01, 2027-01-03\n放假， 国庆节， 2027-10-01, 2027-10-07\n"


def test_calendar_year_anonymous_is_401_or_403(api_client):
    assert api_client.get("/api/v1/calendar/2026/").status_code in (401, 403)


def test_calendar_year_returns_holidays_adjusted_days_and_counts(api_client, cast):
    api_client.force_authenticate(cast.officer)
    data = api_client.get("/api/v1/calendar/2026/").json()
    assert data["year"] == 2026 and data["loaded"] is True and data["working_days"] == 248
    assert len(data["months"]) == 12 and sum(data["months"]) == 248
    assert {"date": "2026-10-10", "weekday": "周六", "kind": "adjusted", "name": "国庆节"} in data["days"]
    assert sum(1 for d in data["days"] if d["kind"] == "holiday") == 33


def test_calendar_year_2027_is_not_loaded(api_client, cast):
    api_client.force_authenticate(cast.officer)
    data = api_client.get("/api/v1/calendar/2027/").json()
    assert data["loaded"] is False and data["days"] == []


def test_calendar_year_out_of_range_is_404_json(api_client, cast):
    api_client.force_authenticate(cast.officer)
    response = api_client.get("/api/v1/calendar/1999/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_compute_deadline_returns_explained_deadline_and_status(api_client, cast):
    api_client.force_authenticate(cast.dispatcher)
    response = api_client.post(
        "/api/v1/deadlines/compute/",
        {
            "start": "2026-09-30",
            "kind": "working_days",
            "amount": 5,
            "now": "2026-10-15T09:00",
        },
        format="json",
    )
    assert response.status_code == 200
    data = response.json()
    assert data["due"] == "2026-10-13T23:59:59+08:00" and data["due_date"] == "2026-10-13"
    assert data["skipped"][0] == {"date": "2026-10-01", "reason": "国庆节", "cause": "holiday"}
    assert data["adjusted_working_days"][0]["date"] == "2026-10-10"
    assert data["status"]["label"] == "已超期2个工作日" and data["status"]["overdue"] is True


def test_compute_deadline_with_pause_and_extension(api_client, cast):
    api_client.force_authenticate(cast.officer)
    data = api_client.post(
        "/api/v1/deadlines/compute/",
        {
            "start": "2026-09-30T10:00",
            "kind": "working_days",
            "amount": 5,
            "pauses": [{"start": "2026-10-12", "end": "2026-10-13", "reason": "检测鉴定"}],
            "extensions": [{"amount": 5, "reason": "情况复杂"}],
        },
        format="json",
    ).json()
    assert data["due_date"] == "2026-10-22"
    assert data["pauses"] == [
        {"start": "2026-10-12T00:00:00+08:00", "end": "2026-10-14T00:00:00+08:00", "reason": "检测鉴定"}
    ]
    assert data["extensions"][0]["reason"] == "情况复杂"


def test_compute_deadline_into_2027_warns(api_client, cast):
    api_client.force_authenticate(cast.officer)
    data = api_client.post(
        "/api/v1/deadlines/compute/", {"start": "2026-12-25", "kind": "working_days", "amount": 10}, format="json"
    ).json()
    assert data["due_date"] == "2027-01-08" and "2027年节假日安排未导入" in data["warnings"][0]


@pytest.mark.parametrize(
    "body",
    [
        {"start": "2026-02-30", "kind": "working_days", "amount": 5},
        {"start": "2026-09-30", "kind": "fortnights", "amount": 5},
        {"start": "2026-09-30", "kind": "working_days", "amount": -1},
        {"start": "2026-09-30", "kind": "working_days"},
    ],
)
def test_compute_deadline_bad_input_is_400_with_chinese_message(api_client, cast, body):
    api_client.force_authenticate(cast.officer)
    response = api_client.post("/api/v1/deadlines/compute/", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and response.json()["message"] == "输入有误。"


def test_notices_post_non_admin_is_403(api_client, cast):
    api_client.force_authenticate(cast.supervisor)
    response = api_client.post("/api/v1/calendar/notices/", {"text": NOTICE_2027}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "not_permitted"
    assert not HolidayNotice.objects.exists()


def test_notices_post_dry_run_previews_without_saving(api_client, cast):
    api_client.force_authenticate(cast.admin)
    response = api_client.post("/api/v1/calendar/notices/", {"text": NOTICE_2027, "dry_run": True}, format="json")
    assert response.status_code == 200
    data = response.json()
    assert data["notice"] is None and data["holidays"] == 10
    assert {"date": "2027-10-01", "before": "工作日", "after": "放假（国庆节）"} in data["changes"]
    assert not HolidayNotice.objects.exists()


def test_notices_post_admin_saves_and_records(api_client, cast, django_capture_on_commit_callbacks):
    api_client.force_authenticate(cast.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post("/api/v1/calendar/notices/", {"text": NOTICE_2027}, format="json")
    assert response.status_code == 201
    assert response.json()["notice"]["day_count"] == 10
    assert LedgerEntry.objects.filter(action="worktime.notice_loaded").exists()
    assert api_client.get("/api/v1/calendar/2027/").json()["loaded"] is True
    assert len(api_client.get("/api/v1/calendar/notices/").json()) == 1


def test_notices_post_bad_file_lists_line_errors(api_client, cast):
    api_client.force_authenticate(cast.admin)
    response = api_client.post(
        "/api/v1/calendar/notices/", {"text": "年份： 2027\n放假 元旦 2027-13-01\n"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_notice"
    assert response.json()["detail"] == ["第2行：无法识别的日期“2027-13-01”（应为YYYY-MM-DD）"]


def test_openapi_schema_includes_worktime_endpoints(api_client, cast):
    api_client.force_authenticate(cast.admin)
    response = api_client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {"/api/v1/calendar/{year}/", "/api/v1/deadlines/compute/", "/api/v1/calendar/notices/"} <= set(paths)
