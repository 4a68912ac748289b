"""The calendar's Django side: build the calendar from the built-in data and
the loaded notices, cache it per process, and load new notices.

``get_calendar()`` is what every other app calls::

    from oneteam.worktime.engine import Period, PeriodKind
    from oneteam.worktime.services import get_calendar

    deadline = get_calendar().deadline(received_at, Period(PeriodKind.WORKING_DAYS, 5))
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils.translation import gettext, gettext_noop, ngettext
from django.utils.translation import gettext as _

from oneteam.core.errors import InvalidInput, NotPermitted
from oneteam.core.i18n import _r

from . import engine
from .choices import DayKind, NoticeScope
from .models import CalendarState, HolidayNotice, NoticeDay
from .notice import NoticeError, ParsedNotice, parse_notice

logger = logging.getLogger(__name__)

DEFAULT_OFFICE_HOURS = "08:30-12:00,14:00-17:30"
DEFAULT_CHECK_SECONDS = 5.0


# ----------------------------------------------------------------- settings


def office_hours() -> tuple[tuple[dt.time, dt.time], ...]:
    """Office hours for working-hour deadlines, from
    ``settings.ONETEAM["WORKTIME_OFFICE_HOURS"]`` ("08:30-12:00,14:00-17:30")."""
    text = getattr(settings, "ONETEAM", {}).get("WORKTIME_OFFICE_HOURS") or DEFAULT_OFFICE_HOURS
    return parse_office_hours(text)


def parse_office_hours(text: str) -> tuple[tuple[dt.time, dt.time], ...]:
    out = []
    for part in str(text).split(","):
        a, _sep, b = part.strip().partition("-")
        out.append((dt.time.fromisoformat(a.strip()), dt.time.fromisoformat(b.strip())))
    return tuple(out)


def _check_seconds() -> float:
    return float(getattr(settings, "ONETEAM", {}).get("WORKTIME_CHECK_SECONDS", DEFAULT_CHECK_SECONDS))


# ------------------------------------------------------------ building it


def calendar_data(extra: ParsedNotice | None = None) -> tuple[dict, dict, set[int], int | None]:
    """Holidays, adjusted working days and loaded years: the built-in data with
    every notice in force applied, plus ``extra`` (a notice being previewed) as
    if it had just been loaded. Also returns the version read."""
    holidays, working, loaded = engine.builtin_data()
    loaded = set(loaded)
    state = CalendarState.objects.filter(pk=1).values_list("version", flat=True).first()
    notices = list(HolidayNotice.objects.order_by("pk").prefetch_related("days"))
    items: list[tuple[int, str, list[tuple[dt.date, str, str]]]] = [
        (n.year, n.scope, [(d.date, d.kind, d.name) for d in n.days.all()]) for n in notices
    ]
    if extra is not None:
        items.append((extra.year, extra.scope, [(d.date, d.kind, d.name) for d in extra.days]))
    # The latest full-year notice of each year is in force; amendments count
    # only if loaded after it.
    in_force: dict[int, int] = {}
    for index, (year, scope, _days) in enumerate(items):
        if scope == NoticeScope.YEAR:
            in_force[year] = index
    for index, (year, scope, days) in enumerate(items):
        if scope == NoticeScope.YEAR:
            if in_force[year] != index:
                continue
            _clear_year(holidays, working, year)
            loaded.add(year)
            for date, kind, name in days:
                _set_day(holidays, working, date, kind, name)
        else:
            for date, kind, name in days:
                if in_force.get(date.year, -1) < index:
                    _set_day(holidays, working, date, kind, name)
    return holidays, working, loaded, state


def _clear_year(holidays: dict, working: dict, year: int) -> None:
    """Drop a year's built-in days before its notice replaces them, keeping the
    late-December 元旦 days that belong to the next year's notice."""
    for data in (holidays, working):
        for d in [d for d in data if d.year == year and not (d.month == 12 and data[d] == "元旦")]:
            del data[d]


def _set_day(holidays: dict, working: dict, date: dt.date, kind: str, name: str) -> None:
    holidays.pop(date, None)
    working.pop(date, None)
    (holidays if kind == DayKind.OFF else working)[date] = name


def build_calendar(extra: ParsedNotice | None = None) -> engine.Calendar:
    holidays, working, loaded, version = calendar_data(extra)
    return engine.Calendar(
        holidays=holidays, working_days=working, loaded_years=loaded, office_hours=office_hours(), version=version
    )


# ------------------------------------------------------------------ cache


@dataclass
class _Cache:
    calendar: engine.Calendar | None = None
    version: int | None = None
    checked_at: float = 0.0


_cache = _Cache()
_lock = threading.Lock()


def get_calendar(*, max_age: float | None = None) -> engine.Calendar:
    """The calendar in force: ``chinese-calendar`` plus the loaded notices.

    Built once per process; the version row is re-read when the last check is
    older than ``max_age`` seconds (default ``ONETEAM["WORKTIME_CHECK_SECONDS"]``,
    5 s) and the calendar rebuilt when it changed. The process that loads a
    notice rebuilds at once. Without the database (tables not migrated yet)
    the built-in calendar is used.
    """
    limit = _check_seconds() if max_age is None else max_age
    now = time.monotonic()
    cache = _cache
    if cache.calendar is not None and now - cache.checked_at < limit:
        return cache.calendar
    with _lock:
        if cache.calendar is not None and now - cache.checked_at < limit:
            return cache.calendar
        try:
            if cache.calendar is None:
                calendar = build_calendar()
                cache.calendar, cache.version = calendar, calendar.version
            else:
                version = CalendarState.objects.filter(pk=1).values_list("version", flat=True).first()
                if version != cache.version:
                    calendar = build_calendar()
                    cache.calendar, cache.version = calendar, calendar.version
        except DatabaseError as exc:
            # Before `migrate`, or the database is down: deadlines still work on the built-in data.
            logger.warning(
                "worktime: calendar tables unavailable (%s); using the built-in holiday data",
                str(exc).splitlines()[0] if str(exc) else type(exc).__name__,
            )
            if cache.calendar is None:
                cache.calendar = engine.default_calendar(office_hours=office_hours())
            cache.version = None
        cache.checked_at = now
        return cache.calendar


#: How stale the banner may be: it is on every staff page, so it re-checks the
#: version rarely (a page's query count does not depend on the clock), while
#: deadline computations re-check every few seconds.
BANNER_MAX_AGE = 600.0


def invalidate_calendar() -> None:
    """Forget the cached calendar in this process (the next call rebuilds)."""
    with _lock:
        _cache.calendar = None
        _cache.version = None
        _cache.checked_at = 0.0


# ---------------------------------------------------------------- writes


def can_manage_calendar(user) -> bool:
    from oneteam.org.choices import Role

    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.has_role(Role.ADMIN))
    )


def parse_notice_text(text: str) -> ParsedNotice:
    """Parse a notice file or raise :class:`InvalidInput` whose ``detail`` lists
    the line-numbered errors."""
    try:
        return parse_notice(text)
    except NoticeError as exc:
        raise InvalidInput(
            _("节假日通知格式有误：") + exc.errors[0], code="invalid_notice", detail=exc.errors
        ) from None


def preview_notice(parsed: ParsedNotice) -> engine.Calendar:
    """The calendar as it would be once ``parsed`` is loaded (nothing saved)."""
    return build_calendar(extra=parsed)


def do_load_notice(parsed: ParsedNotice, *, actor, source_text: str = "") -> HolidayNotice:
    """Load a holiday notice into the calendar.

    Preconditions: ``actor`` is an admin (Role.ADMIN or superuser) or None (the
    system, i.e. the ``oneteam calendar load`` command run on the server).
    Change: a new :class:`HolidayNotice` with its days; for a full-year notice it
    supersedes that year's earlier data. Records ``worktime.notice_loaded`` in
    the ledger, in the same transaction, and bumps the calendar version so every
    process rebuilds its calendar.
    """
    from oneteam.ledger import services as ledger

    if actor is not None and not can_manage_calendar(actor):
        raise NotPermitted(_("只有系统管理员可以导入节假日安排。"))
    before = get_calendar()
    with transaction.atomic():
        notice = HolidayNotice.objects.create(
            year=parsed.year,
            scope=parsed.scope,
            title=parsed.title,
            reference=parsed.reference,
            published_on=parsed.published_on,
            source_text=source_text,
            loaded_by=actor,
            loaded_by_name=(actor.get_full_name() or actor.get_username()) if actor is not None else "系统",
        )
        NoticeDay.objects.bulk_create(
            NoticeDay(notice=notice, date=d.date, kind=d.kind, name=d.name) for d in parsed.days
        )
        CalendarState.objects.get_or_create(pk=1)
        CalendarState.objects.filter(pk=1).update(version=F("version") + 1)
        changes = diff_calendars(before, build_calendar(), parsed.year, translate=_r)  # kept: the ledger's copy
        ledger.append(
            "worktime.notice_loaded",
            actor=actor,
            obj=notice,
            payload={
                "year": parsed.year,
                "scope": parsed.scope,
                "title": parsed.title,
                "reference": parsed.reference,
                "published_on": parsed.published_on.isoformat() if parsed.published_on else None,
                "holidays": {d.isoformat(): n for d, n in sorted(parsed.holidays.items())},
                "working_days": {d.isoformat(): n for d, n in sorted(parsed.working_days.items())},
                "changed_days": changes,
            },
        )
        transaction.on_commit(invalidate_calendar)
    if not transaction.get_connection().in_atomic_block:
        invalidate_calendar()
    return notice


def diff_calendars(before: engine.Calendar, after: engine.Calendar, year: int, *, translate=_) -> list[dict]:
    """Days of ``year`` (and the December before, January after) whose status
    changes, labelled in the reader's language; ``translate=_r`` labels them in
    the installation's (the ledger's copy must not depend on who loaded the notice)."""
    out = []
    d = dt.date(year - 1, 12, 1)
    end = dt.date(year + 1, 1, 31)
    while d <= end:
        a, b = before.day_info(d), after.day_info(d)
        if _day_label(a, translate) != _day_label(b, translate):
            out.append({"date": d.isoformat(), "before": _day_label(a, translate), "after": _day_label(b, translate)})
        d += dt.timedelta(days=1)
    return out


#: A day's status in :func:`diff_calendars` (marked here, translated when labelled).
DAY_LABELS = {
    "holiday": gettext_noop("放假（%(name)s）"),
    "adjusted": gettext_noop("调休上班（%(name)s）"),
    "rest": gettext_noop("休息日"),
    "working": gettext_noop("工作日"),
}


def _day_label(info: engine.DayInfo, translate=_) -> str:
    if info.kind in ("holiday", "adjusted"):
        return translate(DAY_LABELS[info.kind]) % {"name": info.name}
    return translate(DAY_LABELS["working" if info.working else "rest"])


# ------------------------------------------------------------- deadlines


def compute_deadline(
    start: dt.datetime | dt.date, period: engine.Period, *, pauses=(), extensions=(), now: dt.datetime | None = None
) -> engine.Deadline:
    """A deadline on the calendar in force (see :mod:`oneteam.worktime.engine`)."""
    return get_calendar().deadline(start, period, pauses=pauses, extensions=extensions, now=now)


def missing_years(today: dt.date, *, max_age: float | None = None) -> list[int]:
    """The current and next year, those whose holidays are not loaded."""
    calendar = get_calendar(max_age=max_age)
    return [y for y in (today.year, today.year + 1) if not calendar.is_year_loaded(y)]


def status_text(status: engine.Status) -> str:
    """A deadline's status in the reader's language: "剩余3个工作日", "3 working days left"."""
    return status.text(gettext, ngettext)


def due_text(due: dt.datetime, kind: engine.PeriodKind | str) -> str:
    """A due time for display in the reader's language: "2026-10-13（周二）24:00前",
    "2026-10-13 (Tue) by 24:00". ``kind`` is the period's kind (day kinds end at midnight)."""
    return engine.due_text(due, days=engine.PeriodKind(kind).is_days, gettext=gettext)
