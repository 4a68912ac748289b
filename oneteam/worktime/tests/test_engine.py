"""The deadline engine on the built-in calendar (no database)."""

from __future__ import annotations

import datetime as dt

import pytest

from oneteam.worktime.engine import (
    TZ,
    Calendar,
    CalendarError,
    Extension,
    Pause,
    Period,
    PeriodKind,
    builtin_data,
    default_calendar,
)

CAL = default_calendar()
D = dt.date

WD = PeriodKind.WORKING_DAYS
CD = PeriodKind.CALENDAR_DAYS
WH = PeriodKind.WORKING_HOURS
NH = PeriodKind.NATURAL_HOURS

# 国务院办公厅关于2026年部分节假日安排的通知 (rules.md §0).
HOLIDAYS_2026 = [
    ("元旦", D(2026, 1, 1), D(2026, 1, 3)),
    ("春节", D(2026, 2, 15), D(2026, 2, 23)),
    ("清明节", D(2026, 4, 4), D(2026, 4, 6)),
    ("劳动节", D(2026, 5, 1), D(2026, 5, 5)),
    ("端午节", D(2026, 6, 19), D(2026, 6, 21)),
    ("中秋节", D(2026, 9, 25), D(2026, 9, 27)),
    ("国庆节", D(2026, 10, 1), D(2026, 10, 7)),
]
ADJUSTED_2026 = [D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28), D(2026, 5, 9), D(2026, 9, 20), D(2026, 10, 10)]


def at(y, m, d, hh=0, mm=0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=TZ)


def days_between(a: dt.date, b: dt.date):
    while a <= b:
        yield a
        a += dt.timedelta(days=1)


def off_days_2026() -> set[dt.date]:
    return {d for _, a, b in HOLIDAYS_2026 for d in days_between(a, b)}


# ------------------------------------------------------------------ calendar


def test_builtin_2026_matches_state_council_notice_exactly():
    holidays, working, loaded = builtin_data()
    assert {d for d in holidays if d.year == 2026} == off_days_2026()
    assert sorted(d for d in working if d.year == 2026) == ADJUSTED_2026
    assert 2026 in loaded and 2027 not in loaded


@pytest.mark.parametrize(("name", "first", "last"), HOLIDAYS_2026)
def test_is_working_day_2026_holiday_boundaries_are_exact(name, first, last):
    for d in days_between(first, last):
        assert not CAL.is_working_day(d)
        assert CAL.holiday_name(d) == name
    for d in (first - dt.timedelta(days=1), last + dt.timedelta(days=1)):
        # The day either side of a holiday is an ordinary day: working unless a weekend not made up.
        expected = d.weekday() < 5 or d in ADJUSTED_2026
        assert CAL.is_working_day(d) is expected, d


@pytest.mark.parametrize("day", ADJUSTED_2026)
def test_is_working_day_adjusted_weekend_counts_as_working(day):
    assert day.weekday() >= 5
    assert CAL.is_working_day(day)
    assert CAL.day_info(day).kind == "adjusted"


def test_is_working_day_ordinary_weekend_is_rest():
    assert not CAL.is_working_day(D(2026, 11, 28))  # Saturday
    assert CAL.is_working_day(D(2026, 11, 27))  # Friday


def test_working_days_in_year_2026_is_248():
    # 365 − 104 weekend days − 19 holidays on weekdays + 6 adjusted Saturdays/Sundays = 248.
    assert CAL.working_days_in_year(2026) == 248


def test_working_days_between_excludes_start_includes_end():
    assert CAL.working_days_between(D(2026, 9, 30), D(2026, 10, 13)) == 5
    assert CAL.working_days_between(D(2026, 10, 13), D(2026, 9, 30)) == -5
    assert CAL.working_days_between(D(2026, 10, 1), D(2026, 10, 1)) == 0


def test_calendar_rejects_day_both_off_and_working():
    with pytest.raises(CalendarError):
        Calendar(holidays={D(2026, 1, 1): "元旦"}, working_days={D(2026, 1, 1): "元旦"})


# ------------------------------------------------------------- working days


def test_deadline_eve_of_national_day_plus_5_working_days_is_oct_13():
    deadline = CAL.deadline(at(2026, 9, 30, 10), Period(WD, 5))
    assert deadline.due == dt.datetime(2026, 10, 13, 23, 59, 59, 999999, tzinfo=TZ)
    assert deadline.due_date == D(2026, 10, 13)
    assert deadline.warnings == ()
    skipped = {n.date: n.reason for n in deadline.explanation.skipped}
    assert {d for d in skipped if skipped[d] == "国庆节"} == set(days_between(D(2026, 10, 1), D(2026, 10, 7)))
    assert skipped[D(2026, 10, 11)] == "周末"
    assert [n.date for n in deadline.explanation.adjusted_working_days] == [D(2026, 10, 10)]
    assert "国庆节调休上班" in deadline.explanation.adjusted_working_days[0].reason


def test_deadline_eve_of_spring_festival_counts_adjusted_saturday():
    # 02-13 Fri receipt: 02-14 Sat (调休) is day 1, 02-15…23 off, then 24, 25, 26, 27.
    deadline = CAL.deadline(at(2026, 2, 13, 16), Period(WD, 5))
    assert deadline.due_date == D(2026, 2, 27)
    assert [n.date for n in deadline.explanation.adjusted_working_days] == [D(2026, 2, 14)]
    assert {n.reason for n in deadline.explanation.skipped} == {"春节"}


def test_deadline_received_on_adjusted_working_day_starts_next_day():
    assert CAL.deadline(at(2026, 2, 14, 9), Period(WD, 1)).due_date == D(2026, 2, 24)


def test_deadline_received_on_holiday_counts_from_first_working_day():
    assert CAL.deadline(at(2026, 10, 3, 9), Period(WD, 1)).due_date == D(2026, 10, 8)


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        (D(2025, 12, 31), 1, D(2026, 1, 4)),  # 元旦 01-01…03 off, 01-04 Sunday is worked
        (D(2026, 1, 4), 1, D(2026, 1, 5)),
        (D(2026, 2, 27), 1, D(2026, 2, 28)),  # Saturday 02-28 is worked
        (D(2026, 4, 3), 1, D(2026, 4, 7)),  # 清明 04-04…06
        (D(2026, 4, 30), 1, D(2026, 5, 6)),  # 劳动节 05-01…05
        (D(2026, 5, 8), 1, D(2026, 5, 9)),  # Saturday 05-09 is worked
        (D(2026, 6, 18), 1, D(2026, 6, 22)),  # 端午 06-19…21
        (D(2026, 9, 19), 1, D(2026, 9, 20)),  # Sunday 09-20 is worked
        (D(2026, 9, 24), 1, D(2026, 9, 28)),  # 中秋 09-25…27
        (D(2026, 10, 9), 1, D(2026, 10, 10)),  # Saturday 10-10 is worked
    ],
)
def test_deadline_one_working_day_across_each_2026_boundary(start, n, due):
    assert CAL.deadline(start, Period(WD, n)).due_date == due


def test_deadline_zero_working_days_is_end_of_start_day():
    assert CAL.deadline(at(2026, 11, 27, 9), Period(WD, 0)).due_date == D(2026, 11, 27)


def test_deadline_crossing_into_2027_is_computed_with_warning():
    deadline = CAL.deadline(at(2026, 12, 25, 9), Period(WD, 10))
    # Weekends only in 2027: 12-28…31, 01-01 (counted: no data), 01-04…01-08.
    assert deadline.due_date == D(2027, 1, 8)
    assert any("2027年节假日安排未导入" in w for w in deadline.warnings)
    assert deadline.to_dict()["warnings"] == list(deadline.warnings)


def test_deadline_inside_2026_has_no_warning():
    assert CAL.deadline(at(2026, 12, 1, 9), Period(WD, 5)).warnings == ()


# ------------------------------------------------------------- calendar days


def test_deadline_calendar_days_last_day_on_holiday_rolls_to_next_working_day():
    deadline = CAL.deadline(at(2026, 4, 29, 9), Period(CD, 5))
    assert deadline.due_date == D(2026, 5, 6)
    assert [n.date for n in deadline.explanation.skipped] == [D(2026, 5, 4), D(2026, 5, 5)]
    assert any("顺延" in note for note in deadline.explanation.notes)


def test_deadline_calendar_days_last_day_on_weekend_rolls_to_monday():
    assert CAL.deadline(at(2026, 11, 23, 9), Period(CD, 5)).due_date == D(2026, 11, 30)


def test_deadline_calendar_days_last_day_on_adjusted_saturday_does_not_roll():
    deadline = CAL.deadline(at(2026, 10, 5, 9), Period(CD, 5))
    assert deadline.due_date == D(2026, 10, 10)
    assert [n.date for n in deadline.explanation.adjusted_working_days] == [D(2026, 10, 10)]


def test_deadline_ninety_calendar_days_ignores_holidays_in_between():
    deadline = CAL.deadline(at(2026, 8, 1, 9), Period(CD, 90))
    assert deadline.due_date == D(2026, 10, 30)
    assert deadline.explanation.skipped == ()


def test_deadline_calendar_days_ending_in_2027_warns():
    deadline = CAL.deadline(at(2026, 12, 20, 9), Period(CD, 15))
    assert deadline.due_date == D(2027, 1, 4)  # 01-04 Monday; 2027 counted on weekends only
    assert deadline.warnings


# ------------------------------------------------------- pauses, extensions


def test_deadline_pause_on_working_days_shifts_due():
    pause = Pause(at(2026, 10, 12), at(2026, 10, 14), "检测鉴定")  # 10-12 and 10-13
    deadline = CAL.deadline(at(2026, 9, 30), Period(WD, 5), pauses=[pause])
    assert deadline.due_date == D(2026, 10, 15)
    reasons = {n.date: n.reason for n in deadline.explanation.skipped}
    assert reasons[D(2026, 10, 12)] == "中止：检测鉴定"
    assert reasons[D(2026, 10, 13)] == "中止：检测鉴定"


def test_deadline_pause_within_holiday_changes_nothing():
    pause = Pause(at(2026, 10, 2), at(2026, 10, 5), "中止")
    assert CAL.deadline(at(2026, 9, 30), Period(WD, 5), pauses=[pause]).due_date == D(2026, 10, 13)


def test_deadline_pause_before_start_is_ignored():
    pause = Pause(at(2026, 9, 1), at(2026, 9, 29), "中止")
    assert CAL.deadline(at(2026, 9, 30), Period(WD, 5), pauses=[pause]).due_date == D(2026, 10, 13)


def test_deadline_pause_of_part_of_a_day_skips_that_day():
    pause = Pause(at(2026, 11, 30, 10), at(2026, 11, 30, 11), "送检")
    assert CAL.deadline(at(2026, 11, 27), Period(WD, 1), pauses=[pause]).due_date == D(2026, 12, 1)


def test_deadline_pause_ending_at_midnight_does_not_touch_next_day():
    pause = Pause(at(2026, 11, 30), at(2026, 12, 1), "送检")
    assert CAL.deadline(at(2026, 11, 27), Period(WD, 1), pauses=[pause]).due_date == D(2026, 12, 1)


def test_deadline_pause_on_calendar_days_extends_last_day():
    pause = Pause(at(2026, 11, 2), at(2026, 11, 4), "鉴定")  # 11-02, 11-03
    assert CAL.deadline(at(2026, 11, 1), Period(CD, 3), pauses=[pause]).due_date == D(2026, 11, 6)


def test_deadline_open_pause_counts_up_to_now_and_is_suspended():
    pause = Pause(at(2026, 10, 12), None, "中止审查")
    deadline = CAL.deadline(at(2026, 9, 30), Period(WD, 5), pauses=[pause], now=at(2026, 10, 13, 15))
    assert deadline.suspended
    assert deadline.due_date == D(2026, 10, 15)
    assert any("中止尚未结束" in note for note in deadline.explanation.notes)


def test_deadline_extension_same_kind_adds_up():
    ext = Extension(Period(WD, 5), "情况复杂")
    deadline = CAL.deadline(at(2026, 9, 30), Period(WD, 5), extensions=[ext])
    assert deadline.due_date == D(2026, 10, 20)
    assert "延长5个工作日（情况复杂）" in deadline.rule
    assert "共10个工作日" in deadline.rule
    assert deadline.to_dict()["extensions"] == [
        {"kind": "working_days", "amount": 5, "label": "5个工作日", "reason": "情况复杂"}
    ]


def test_deadline_extension_other_kind_runs_from_previous_due():
    ext = Extension(Period(CD, 30), "经批准延长")
    deadline = CAL.deadline(at(2026, 6, 1), Period(CD, 90), extensions=[ext])
    # 90 days → 2026-08-30 (Sunday) → 08-31; +30 days of another kind would chain,
    # but same kind adds up: 120 days → 2026-09-29 (Tuesday).
    assert deadline.due_date == D(2026, 9, 29)
    chained = CAL.deadline(at(2026, 9, 30), Period(WD, 5), extensions=[Extension(Period(CD, 3), "补正")])
    assert chained.due_date == D(2026, 10, 16)  # 10-13 + 3 days = 10-16 (Friday)


# ------------------------------------------------------------ working hours


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        (at(2026, 11, 27, 11, 0), 2, at(2026, 11, 27, 15, 0)),  # across lunch
        (at(2026, 11, 27, 9, 0), 3, at(2026, 11, 27, 12, 0)),  # ends exactly at noon, not 14:00
        (at(2026, 11, 27, 12, 30), 1, at(2026, 11, 27, 15, 0)),  # received during lunch
        (at(2026, 11, 26, 20, 0), 1, at(2026, 11, 27, 9, 30)),  # received in the evening
        (at(2026, 11, 27, 17, 0), 1, at(2026, 11, 30, 9, 0)),  # Friday evening → Monday
        (at(2026, 11, 28, 10, 0), 2, at(2026, 11, 30, 10, 30)),  # received on Saturday
        (at(2026, 10, 9, 16, 30), 2, at(2026, 10, 10, 9, 30)),  # adjusted Saturday is worked
        (at(2026, 9, 30, 16, 30), 3, at(2026, 10, 8, 10, 30)),  # across 国庆
        (at(2026, 11, 27, 8, 30), 7, at(2026, 11, 27, 17, 30)),  # a full day ends at 17:30
        (at(2026, 11, 27, 8, 30), 0, at(2026, 11, 27, 8, 30)),
    ],
)
def test_deadline_working_hours(start, hours, due):
    assert CAL.deadline(start, Period(WH, hours)).due == due


def test_deadline_working_hours_explains_weekend_and_office_hours():
    deadline = CAL.deadline(at(2026, 11, 27, 17, 0), Period(WH, 1))
    assert [n.date for n in deadline.explanation.skipped] == [D(2026, 11, 28), D(2026, 11, 29)]
    assert any("08:30–12:00、14:00–17:30" in note for note in deadline.explanation.notes)


def test_deadline_working_hours_pause_is_deducted_exactly():
    pause = Pause(at(2026, 11, 27, 14, 0), at(2026, 11, 27, 15, 0), "等待检测")
    deadline = CAL.deadline(at(2026, 11, 27, 11, 0), Period(WH, 2), pauses=[pause])
    assert deadline.due == at(2026, 11, 27, 16, 0)


def test_deadline_working_hours_custom_office_hours():
    cal = default_calendar(office_hours=((dt.time(9, 0), dt.time(17, 0)),))
    assert cal.deadline(at(2026, 11, 27, 16, 0), Period(WH, 2)).due == at(2026, 11, 30, 10, 0)


# ------------------------------------------------------------ natural hours


def test_deadline_natural_hours_ignores_holidays_and_night():
    deadline = CAL.deadline(at(2026, 10, 1, 22, 0), Period(NH, 3))
    assert deadline.due == at(2026, 10, 2, 1, 0)
    assert deadline.warnings == ()


def test_deadline_natural_hours_with_pause():
    pause = Pause(at(2026, 10, 1, 10, 30), at(2026, 10, 1, 11, 0), "现场封控")
    assert CAL.deadline(at(2026, 10, 1, 10), Period(NH, 2), pauses=[pause]).due == at(2026, 10, 1, 12, 30)


def test_deadline_accepts_utc_start_and_returns_shanghai_time():
    start = dt.datetime(2026, 9, 30, 1, 0, tzinfo=dt.UTC)  # 09:00 in Shanghai
    deadline = CAL.deadline(start, Period(NH, 2))
    assert deadline.due.utcoffset() == dt.timedelta(hours=8)
    assert deadline.due == at(2026, 9, 30, 11)


# ------------------------------------------------------------------ status


@pytest.mark.parametrize(
    ("now", "label", "overdue", "today", "late"),
    [
        (at(2026, 10, 9, 10), "剩余3个工作日", False, False, 0),  # 10-10 (调休), 10-12, 10-13
        (at(2026, 10, 13, 10), "今日到期", False, True, 0),
        (at(2026, 10, 14, 0, 1), "已超期1个工作日", True, False, 1),
        (at(2026, 10, 15, 9), "已超期2个工作日", True, False, 2),
    ],
)
def test_status_labels(now, label, overdue, today, late):
    due = CAL.deadline(at(2026, 9, 30), Period(WD, 5)).due
    status = CAL.status(due, now)
    assert (status.label, status.overdue, status.due_today, status.working_days_overdue) == (
        label,
        overdue,
        today,
        late,
    )


def test_status_overdue_on_weekend_reports_time_not_zero_days():
    due = CAL.deadline(at(2026, 11, 26), Period(WD, 1)).due  # Friday 11-27
    status = CAL.status(due, at(2026, 11, 28, 10))
    assert status.overdue and status.working_days_overdue == 0
    assert status.label == "已超期10小时"


def test_status_remaining_is_negative_when_overdue():
    due = at(2026, 10, 1, 12)
    assert CAL.status(due, at(2026, 10, 1, 13)).remaining == -dt.timedelta(hours=1)


# -------------------------------------------------------------- to_dict, errors


def test_to_dict_has_the_documented_keys_and_iso_offset():
    data = CAL.deadline(at(2026, 9, 30), Period(WD, 5)).to_dict()
    assert data["due"] == "2026-10-13T23:59:59+08:00"
    assert data["due_date"] == "2026-10-13"
    assert data["kind"] == "working_days" and data["amount"] == 5
    assert data["skipped"][0] == {"date": "2026-10-01", "reason": "国庆节", "cause": "holiday"}
    assert {"rule", "adjusted_working_days", "pauses", "extensions", "warnings"} <= set(data)


def test_explanation_lines_group_runs_in_chinese():
    lines = CAL.deadline(at(2026, 9, 30), Period(WD, 5)).explanation.lines()
    assert "2026-10-01至2026-10-07 国庆节（7天）" in lines[1]
    assert "2026-10-10（周六，国庆节调休上班）" in lines[2]


@pytest.mark.parametrize("bad", [-1, 1.5, True, "5"])
def test_period_rejects_bad_amount(bad):
    with pytest.raises(CalendarError):
        Period(WD, bad)


def test_deadline_rejects_naive_datetime():
    with pytest.raises(CalendarError, match="时区"):
        CAL.deadline(dt.datetime(2026, 9, 30), Period(WD, 5))


def test_pause_rejects_end_before_start():
    with pytest.raises(CalendarError):
        Pause(at(2026, 10, 2), at(2026, 10, 1))


def test_deadline_beyond_calendar_range_is_a_clear_error():
    with pytest.raises(CalendarError, match="超出日历范围"):
        CAL.deadline(at(2060, 12, 20), Period(WD, 30))


def test_deadline_pause_far_beyond_calendar_range_is_ignored():
    pause = Pause(at(2070, 1, 1), at(2070, 1, 5), "中止")
    for kind in (WD, CD, WH):
        assert (
            CAL.deadline(at(2026, 9, 30), Period(kind, 5), pauses=[pause]).due
            == CAL.deadline(at(2026, 9, 30), Period(kind, 5)).due
        )
