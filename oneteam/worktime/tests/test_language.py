"""A deadline's status and due time speak the reader's language; the
engine's own (Chinese) label is what a Chinese reader sees."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template
from django.utils import translation

from oneteam.worktime.engine import TZ, Period, PeriodKind, default_calendar
from oneteam.worktime.services import due_text, status_text

CAL = default_calendar()


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TZ)


DUE = CAL.deadline(at(2026, 9, 30), Period(PeriodKind.WORKING_DAYS, 5)).due  # 2026-10-13, end of day


@pytest.mark.parametrize(
    ("now", "english"),
    [
        (at(2026, 10, 9, 10), "3 working days left"),
        (at(2026, 10, 12, 10), "1 working day left"),
        (at(2026, 10, 13, 10), "Due today"),
        (at(2026, 10, 14, 0, 1), "Overdue by 1 working day"),
        (at(2026, 10, 15, 9), "Overdue by 2 working days"),
    ],
)
def test_status_in_english_and_chinese(now, english):
    status = CAL.status(DUE, now)
    with translation.override("en"):
        assert status_text(status) == english
    with translation.override("zh-hans"):
        assert status_text(status) == status.label


def test_short_durations_are_counted_in_english():
    friday = CAL.deadline(at(2026, 11, 26), Period(PeriodKind.WORKING_DAYS, 1)).due
    with translation.override("en"):
        assert status_text(CAL.status(friday, at(2026, 11, 28, 10))) == "Overdue by 10 hours"
        assert status_text(CAL.status(at(2026, 11, 30, 9, 1), at(2026, 11, 30, 9))) == "Due today"
        # Friday night to a Saturday due time: no working day between, so the time is counted.
        assert status_text(CAL.status(at(2026, 11, 28, 0, 10), at(2026, 11, 27, 23, 30))) == "40 minutes left"


def test_due_time_in_the_readers_language():
    with translation.override("en"):
        assert due_text(DUE, PeriodKind.WORKING_DAYS) == "2026-10-13 (Tue) by 24:00"
        assert due_text(at(2026, 10, 13, 9, 30), PeriodKind.WORKING_HOURS) == "2026-10-13 (Tue) 09:30"
    with translation.override("zh-hans"):
        assert due_text(DUE, PeriodKind.WORKING_DAYS) == "2026-10-13（周二）24:00前"


@pytest.mark.django_db
def test_badge_of_a_stored_deadline_is_english_for_an_english_reader():
    stored = CAL.deadline(at(2026, 9, 30), Period(PeriodKind.WORKING_DAYS, 5)).to_dict()
    template = Template("{% load worktime %}{% deadline_badge d now %}")
    with translation.override("en"):
        html = template.render(Context({"d": stored, "now": at(2026, 10, 9, 10)}))
    assert "3 working days left" in html and "2026-10-13 (Tue) by 24:00" in html and "剩余" not in html
