"""Properties of the engine (hypothesis), checked against a naive day-by-day
reference implementation built directly on ``chinese_calendar``."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
from hypothesis import given, settings
from hypothesis import strategies as st

from oneteam.worktime.engine import TZ, Extension, Pause, Period, PeriodKind, default_calendar

CAL = default_calendar()
WD, CD, WH, NH = (PeriodKind.WORKING_DAYS, PeriodKind.CALENDAR_DAYS, PeriodKind.WORKING_HOURS, PeriodKind.NATURAL_HOURS)

# Dates whose whole computation stays inside the years chinese_calendar covers.
dates = st.dates(min_value=dt.date(2004, 1, 1), max_value=dt.date(2026, 9, 30))
times = st.times().map(lambda t: t.replace(microsecond=0))
starts = st.builds(lambda d, t: dt.datetime.combine(d, t, tzinfo=TZ), dates, times)
kinds = st.sampled_from(list(PeriodKind))
small = st.integers(min_value=0, max_value=40)


def naive_working_days(start: dt.date, n: int) -> dt.date:
    d, counted = start, 0
    while counted < n:
        d += dt.timedelta(days=1)
        if chinese_calendar.is_workday(d):
            counted += 1
    return d


def naive_calendar_days(start: dt.date, n: int) -> dt.date:
    d = start + dt.timedelta(days=n)
    while not chinese_calendar.is_workday(d):
        d += dt.timedelta(days=1)
    return d


@settings(max_examples=150, deadline=None)
@given(dates, small)
def test_working_days_equal_naive_day_by_day_count(start, n):
    assert CAL.add_working_days(start, n) == naive_working_days(start, n)
    assert CAL.deadline(start, Period(WD, n)).due_date == naive_working_days(start, n)


@settings(max_examples=150, deadline=None)
@given(st.dates(min_value=dt.date(2004, 1, 1), max_value=dt.date(2026, 8, 15)), st.integers(min_value=0, max_value=120))
def test_calendar_days_equal_naive_roll_forward(start, n):
    assert CAL.deadline(start, Period(CD, n)).due_date == naive_calendar_days(start, n)


@settings(max_examples=150, deadline=None)
@given(starts, st.integers(min_value=1, max_value=40), st.sampled_from([WD, CD]))
def test_due_date_is_always_a_working_day(start, n, kind):
    due = CAL.deadline(start, Period(kind, n)).due_date
    assert CAL.is_working_day(due)
    assert chinese_calendar.is_workday(due)


@settings(max_examples=150, deadline=None)
@given(starts, st.integers(min_value=1, max_value=60))
def test_working_hours_due_falls_inside_office_hours_of_a_working_day(start, n):
    due = CAL.deadline(start, Period(WH, n)).due
    assert CAL.is_working_day(due.date())
    assert any(a <= due.time() <= b for a, b in CAL.office_hours)
    assert due > start


@settings(max_examples=150, deadline=None)
@given(dates, small, small)
def test_adding_n_then_m_working_days_equals_adding_n_plus_m(start, n, m):
    assert CAL.add_working_days(CAL.add_working_days(start, n), m) == CAL.add_working_days(start, n + m)
    extended = CAL.deadline(start, Period(WD, n), extensions=[Extension(Period(WD, m), "延长")])
    assert extended.due == CAL.deadline(start, Period(WD, n + m)).due


@settings(max_examples=100, deadline=None)
@given(starts, small, small)
def test_adding_n_then_m_working_hours_equals_adding_n_plus_m(start, n, m):
    first = CAL.deadline(start, Period(WH, n)).due
    assert CAL.deadline(first, Period(WH, m)).due == CAL.deadline(start, Period(WH, n + m)).due


@settings(max_examples=150, deadline=None)
@given(
    starts,
    kinds,
    st.integers(min_value=0, max_value=30),
    st.lists(
        st.tuples(st.integers(min_value=-200, max_value=1500), st.integers(min_value=0, max_value=300)), max_size=4
    ),
)
def test_pauses_never_make_a_deadline_earlier(start, kind, n, raw_pauses):
    pauses = [
        Pause(start + dt.timedelta(hours=offset), start + dt.timedelta(hours=offset + length), "中止")
        for offset, length in raw_pauses
    ]
    plain = CAL.deadline(start, Period(kind, n))
    paused = CAL.deadline(start, Period(kind, n), pauses=pauses)
    assert paused.due >= plain.due
    # Adding one more pause never moves it earlier either.
    if pauses:
        assert CAL.deadline(start, Period(kind, n), pauses=pauses[:-1]).due <= paused.due


@settings(max_examples=100, deadline=None)
@given(dates, st.integers(min_value=1, max_value=40))
def test_working_days_between_start_and_due_is_n(start, n):
    assert CAL.working_days_between(start, CAL.add_working_days(start, n)) == n


@settings(max_examples=100, deadline=None)
@given(dates, st.integers(min_value=1, max_value=30))
def test_skipped_days_are_exactly_the_rest_days_in_range(start, n):
    deadline = CAL.deadline(start, Period(WD, n))
    expected = [start + dt.timedelta(days=i) for i in range(1, (deadline.due_date - start).days + 1)]
    expected = [d for d in expected if not chinese_calendar.is_workday(d)]
    assert [note.date for note in deadline.explanation.skipped] == expected
