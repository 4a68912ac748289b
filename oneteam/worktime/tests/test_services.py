"""Loading notices into the calendar: layering over the built-in data,
superseding, amendments, the ledger entry, permission and the cache."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from oneteam.core.errors import InvalidInput, NotPermitted
from oneteam.ledger.models import LedgerEntry
from oneteam.worktime import engine, services
from oneteam.worktime.engine import TZ, Period, PeriodKind
from oneteam.worktime.models import CalendarState, HolidayNotice

D = dt.date
NOTICE_2027 = """年份: 2027
标题: 2027年节假日安排(测试)
放假, 元旦, 2027-01-01, 2027-01-03
放假, 国庆节, 2027-10-01, 2027-10-07
上班, 国庆节, 2027-09-26
"""
SAMPLE_2026 = (Path(__file__).resolve().parents[1] / "data" / "notice-2026.txt").read_text(encoding="utf-8")


@pytest.fixture
def load(django_capture_on_commit_callbacks):
    def _load(text: str, actor=None):
        with django_capture_on_commit_callbacks(execute=True):
            return services.do_load_notice(services.parse_notice_text(text), actor=actor, source_text=text)

    return _load


@pytest.mark.django_db
def test_get_calendar_without_notices_is_builtin_data():
    calendar = services.get_calendar()
    assert calendar.is_year_loaded(2026)
    assert not calendar.is_year_loaded(2027)
    assert calendar.deadline(dt.datetime(2026, 9, 30, tzinfo=TZ), Period(PeriodKind.WORKING_DAYS, 5)).due_date == D(
        2026, 10, 13
    )


@pytest.mark.django_db
def test_load_notice_for_2027_marks_year_loaded_and_changes_deadlines(load, cast):
    before = services.get_calendar().deadline(dt.datetime(2027, 9, 30, tzinfo=TZ), Period(PeriodKind.WORKING_DAYS, 1))
    assert before.warnings
    notice = load(NOTICE_2027, cast.admin)
    calendar = services.get_calendar()
    assert calendar.is_year_loaded(2027)
    assert not calendar.is_working_day(D(2027, 10, 1))
    assert calendar.is_working_day(D(2027, 9, 26))  # Sunday, adjusted
    after = calendar.deadline(dt.datetime(2027, 9, 30, tzinfo=TZ), Period(PeriodKind.WORKING_DAYS, 1))
    assert after.due_date == D(2027, 10, 8)
    assert after.warnings == ()
    assert notice.loaded_by == cast.admin and notice.days.count() == 11


@pytest.mark.django_db
def test_load_notice_writes_ledger_entry_with_changed_days(load, cast):
    notice = load(NOTICE_2027, cast.admin)
    entry = LedgerEntry.objects.get(action="worktime.notice_loaded")
    assert entry.object_id == str(notice.pk)
    assert entry.actor_id == cast.admin.pk
    assert entry.payload["year"] == 2027
    assert entry.payload["holidays"]["2027-10-01"] == "国庆节"
    assert {"date": "2027-10-01", "before": "工作日", "after": "放假（国庆节）"} in entry.payload["changed_days"]


@pytest.mark.django_db
def test_load_notice_bumps_version_so_other_processes_rebuild(load):
    services.get_calendar()
    load(NOTICE_2027)
    assert CalendarState.objects.get(pk=1).version == 1


@pytest.mark.django_db
def test_get_calendar_rebuilds_when_another_process_bumped_version(load, settings):
    settings.ONETEAM = {**settings.ONETEAM, "WORKTIME_CHECK_SECONDS": 0}
    first = services.get_calendar()
    assert services.get_calendar() is first  # cached while the version is unchanged
    # Another process saved a notice: only the version row tells us.
    HolidayNotice.objects.create(year=2027, title="外部导入").days.create(date=D(2027, 1, 1), kind="off", name="元旦")
    CalendarState.objects.update_or_create(pk=1, defaults={"version": 99})
    rebuilt = services.get_calendar()
    assert rebuilt is not first
    assert not rebuilt.is_working_day(D(2027, 1, 1))


@pytest.mark.django_db
def test_get_calendar_checks_version_at_most_every_few_seconds(django_assert_num_queries):
    services.get_calendar()
    with django_assert_num_queries(0):
        services.get_calendar()


@pytest.mark.django_db
def test_load_notice_by_non_admin_is_refused(load, cast):
    with pytest.raises(NotPermitted):
        load(NOTICE_2027, cast.dispatcher)
    assert not HolidayNotice.objects.exists()
    assert not LedgerEntry.objects.filter(action="worktime.notice_loaded").exists()


@pytest.mark.django_db
def test_load_notice_by_superuser_is_allowed(load, cast):
    cast.supervisor.is_superuser = True
    cast.supervisor.save()
    assert load(NOTICE_2027, cast.supervisor).pk


def test_parse_notice_text_bad_input_raises_invalid_input_with_lines():
    with pytest.raises(InvalidInput) as info:
        services.parse_notice_text("年份： 2027\n放假 元旦 2027-13-01\n")
    assert info.value.detail == ["第2行：无法识别的日期“2027-13-01”（应为YYYY-MM-DD）"]


@pytest.mark.django_db
def test_second_full_year_notice_supersedes_the_first(load):
    load(NOTICE_2027)
    load("年份： 2027\n放假， 元旦， 2027-01-01\n")
    calendar = services.get_calendar()
    assert not calendar.is_working_day(D(2027, 1, 1))
    assert calendar.is_working_day(D(2027, 10, 1))  # no longer a holiday
    assert HolidayNotice.objects.count() == 2  # history kept


@pytest.mark.django_db
def test_amendment_changes_only_listed_days_and_survives_until_next_full_notice(load):
    load(NOTICE_2027)
    load("年份： 2027\n范围： 修正\n放假， 国庆节， 2027-10-08\n")
    calendar = services.get_calendar()
    assert not calendar.is_working_day(D(2027, 10, 8))
    assert not calendar.is_working_day(D(2027, 10, 1))
    load(NOTICE_2027)  # a later full notice replaces the year, amendment included
    assert services.get_calendar().is_working_day(D(2027, 10, 8))


@pytest.mark.django_db
def test_database_notice_corrects_builtin_data_that_disagrees(load, monkeypatch):
    # Pretend the package were wrong about 2026 (10-10 not worked, 10-08 a holiday).
    wrong = dict(engine.BUILTIN_CORRECTIONS)
    wrong[D(2026, 10, 10)] = ("off", "国庆节")
    wrong[D(2026, 10, 8)] = ("off", "国庆节")
    monkeypatch.setattr(engine, "BUILTIN_CORRECTIONS", wrong)
    services.invalidate_calendar()
    start = dt.datetime(2026, 9, 30, tzinfo=TZ)
    assert services.get_calendar().deadline(start, Period(PeriodKind.WORKING_DAYS, 5)).due_date != D(2026, 10, 13)
    load(SAMPLE_2026)
    assert services.get_calendar().deadline(start, Period(PeriodKind.WORKING_DAYS, 5)).due_date == D(2026, 10, 13)


@pytest.mark.django_db
def test_loading_2026_sample_changes_nothing(load):
    before = services.get_calendar()
    parsed = services.parse_notice_text(SAMPLE_2026)
    assert services.diff_calendars(before, services.preview_notice(parsed), 2026) == []


@pytest.mark.django_db
def test_year_notice_keeps_late_december_new_year_days_of_next_year():
    # 2022-12-31 belongs to the 2023 notice (元旦 2022-12-31…2023-01-02).
    calendar = services.preview_notice(
        services.parse_notice_text("年份： 2022\n放假， 元旦， 2022-01-01, 2022-01-03\n")
    )
    assert calendar.holiday_name(D(2022, 12, 31)) == "元旦"


@pytest.mark.django_db
def test_missing_years_lists_current_and_next_without_data(load):
    assert services.missing_years(D(2026, 11, 27)) == [2027]
    load(NOTICE_2027)
    assert services.missing_years(D(2026, 11, 27)) == []
    assert services.missing_years(D(2027, 3, 1)) == [2028]


def test_parse_office_hours_reads_setting_format():
    assert services.parse_office_hours("09:00-12:00, 13:30-17:00") == (
        (dt.time(9), dt.time(12)),
        (dt.time(13, 30), dt.time(17)),
    )


@pytest.mark.django_db
def test_office_hours_setting_is_used_for_working_hours(settings):
    settings.ONETEAM = {**settings.ONETEAM, "WORKTIME_OFFICE_HOURS": "09:00-17:00"}
    services.invalidate_calendar()
    deadline = services.compute_deadline(dt.datetime(2026, 11, 27, 16, tzinfo=TZ), Period(PeriodKind.WORKING_HOURS, 2))
    assert deadline.due == dt.datetime(2026, 11, 30, 10, tzinfo=TZ)
