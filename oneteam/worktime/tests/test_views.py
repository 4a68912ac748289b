"""Calendar pages: access matrix, preview-then-save loading, the banner and the badge tag."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template
from django.urls import reverse

from oneteam.ledger.models import LedgerEntry
from oneteam.worktime import services, views
from oneteam.worktime.engine import TZ, Period, PeriodKind, default_calendar
from oneteam.worktime.models import HolidayNotice

NOTICE_2027 = "年份： 2027\n放假， 元旦， 2027-01-01, 2027-01-03\n放假， 国庆节， 2027-10-01, 2027-10-07\n"

pytestmark = pytest.mark.django_db


def test_calendar_page_anonymous_redirects_to_login(client):
    response = client.get(reverse("worktime:calendar"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_calendar_page_any_staff_sees_year_with_holidays(client, cast):
    client.force_login(cast.officer)
    response = client.get(reverse("worktime:calendar_year", args=[2026]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "国庆节" in html and "调休上班" in html
    assert reverse("worktime:load") not in html  # no load button for non-admins


def test_calendar_page_admin_sees_load_button(client, cast):
    client.force_login(cast.admin)
    assert reverse("worktime:load") in client.get(reverse("worktime:calendar")).content.decode()


def test_calendar_page_out_of_range_year_is_404(client, cast):
    client.force_login(cast.officer)
    assert client.get(reverse("worktime:calendar_year", args=[1900])).status_code == 404


@pytest.mark.parametrize("who", ["officer", "dispatcher", "supervisor", "dept_handler"])
def test_load_page_non_admin_is_forbidden(client, cast, who):
    client.force_login(getattr(cast, who))
    assert client.get(reverse("worktime:load")).status_code == 403
    response = client.post(reverse("worktime:load"), {"text": NOTICE_2027, "action": "save"})
    assert response.status_code == 403
    assert not HolidayNotice.objects.exists()


def test_load_page_anonymous_redirects_to_login(client):
    assert client.get(reverse("worktime:load")).status_code == 302


def test_load_page_preview_shows_months_and_changes_without_saving(client, cast):
    client.force_login(cast.admin)
    response = client.post(reverse("worktime:load"), {"text": NOTICE_2027, "action": "preview"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "预览" in html and "2027-10-01" in html and "确认保存" in html
    assert html.count('class="wt-month"') == 12
    assert not HolidayNotice.objects.exists()


def test_load_page_bad_file_shows_line_errors(client, cast):
    client.force_login(cast.admin)
    bad = "年份： 2027\n放假 元旦 2027-02-30\n"
    response = client.post(reverse("worktime:load"), {"text": bad, "action": "preview"})
    assert "第2行：无法识别的日期“2027-02-30”" in response.content.decode()
    assert not HolidayNotice.objects.exists()


def test_load_page_save_loads_year_and_records_ledger(client, cast, django_capture_on_commit_callbacks):
    client.force_login(cast.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("worktime:load"), {"text": NOTICE_2027, "action": "save"})
    assert response.status_code == 302
    assert response["Location"] == reverse("worktime:calendar_year", args=[2027])
    assert HolidayNotice.objects.get().loaded_by == cast.admin
    assert LedgerEntry.objects.filter(action="worktime.notice_loaded").count() == 1
    assert services.get_calendar().is_year_loaded(2027)


def test_load_page_accepts_uploaded_file(client, cast):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(cast.admin)
    upload = SimpleUploadedFile("2027.csv", NOTICE_2027.encode("gb18030"), content_type="text/csv")
    response = client.post(reverse("worktime:load"), {"file": upload, "action": "preview"})
    assert "2027-10-01" in response.content.decode()


def test_deadline_calculator_fragment_for_htmx(client, cast):
    client.force_login(cast.officer)
    response = client.post(
        reverse("worktime:deadline"),
        {"start": "2026-09-30", "kind": "working_days", "amount": 5},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert "2026-10-13" in html and "国庆节" in html


def test_deadline_calculator_full_page(client, cast):
    client.force_login(cast.officer)
    response = client.post(reverse("worktime:deadline"), {"start": "2026-04-29", "kind": "calendar_days", "amount": 5})
    assert "2026-05-06" in response.content.decode() and "<html" in response.content.decode()


def test_missing_year_banner_shown_while_next_year_not_loaded(client, cast, monkeypatch):
    monkeypatch.setattr(views.timezone, "localdate", lambda: dt.date(2026, 11, 27))
    client.force_login(cast.officer)
    html = client.get(reverse("worktime:calendar")).content.decode()
    assert "2027年节假日安排未导入" in html


def test_missing_year_banner_gone_once_loaded(rf, cast, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(views.timezone, "localdate", lambda: dt.date(2026, 11, 27))
    request = rf.get("/")
    request.user = cast.admin
    assert views.missing_year_banner(request)
    assert "导入" in views.missing_year_banner(request)[0]["message"]  # admins are told what to do
    with django_capture_on_commit_callbacks(execute=True):
        services.do_load_notice(services.parse_notice_text(NOTICE_2027), actor=cast.admin)
    assert views.missing_year_banner(request) == []


def test_nav_item_registered():
    from oneteam.core.navigation import _items

    assert any(item.url_name == "worktime:calendar" for item in _items)


def test_deadline_badge_renders_status_and_explanation_toggle():
    deadline = default_calendar().deadline(dt.datetime(2026, 9, 30, tzinfo=TZ), Period(PeriodKind.WORKING_DAYS, 5))
    template = Template("{% load worktime %}{% deadline_badge d now %}")
    html = template.render(Context({"d": deadline, "now": dt.datetime(2026, 10, 13, 9, tzinfo=TZ)}))
    assert "今日到期" in html and "badge warn" in html
    assert "data-toggle-explain=" in html and "hidden" in html
    assert "国庆节" in html


def test_deadline_badge_accepts_to_dict_output_and_shows_overdue():
    start = dt.datetime(2026, 9, 30, tzinfo=TZ)
    data = default_calendar().deadline(start, Period(PeriodKind.WORKING_DAYS, 5)).to_dict()
    html = Template("{% load worktime %}{% deadline_badge d now %}").render(
        Context({"d": data, "now": dt.datetime(2026, 10, 15, 9, tzinfo=TZ)})
    )
    assert "已超期2个工作日" in html and "badge bad" in html


def test_deadline_badge_empty_renders_dash():
    assert "—" in Template("{% load worktime %}{% deadline_badge d %}").render(Context({"d": None}))


def test_missing_year_banner_does_not_query_on_every_page(rf, cast, django_assert_num_queries):
    request = rf.get("/")
    request.user = cast.officer
    views.missing_year_banner(request)  # builds the calendar once per process
    with django_assert_num_queries(0):
        views.missing_year_banner(request)
