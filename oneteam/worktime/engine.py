"""Working-day calendar and deadline engine.

Pure Python on purpose (no Django import here or in anything this imports):
flows, management commands, the API and the benchmarks all call the same
code. The Django side (:mod:`oneteam.worktime.services`) only builds a
:class:`Calendar` from the ``chinese-calendar`` data plus the notices loaded
into the database, and caches it.

Counting rules (see ``/work/shared/domain/rules.md`` §0 and ``docs/worktime.md``):

* All calendar logic runs in Asia/Shanghai; any aware datetime is accepted and
  converted. A deadline's ``due`` is an aware datetime in Asia/Shanghai.
* The day on which a period starts is not counted. A period of N working days
  ends at the end of the N-th working day after the start day
  (``due`` = 23:59:59.999999 local on that day, ``due_date`` = that day).
* A calendar-day period whose last day is a rest day (weekend or statutory
  holiday, unless it is an adjusted working day) ends on the next working day.
* Working hours count only office hours of working days (default 08:30–12:00
  and 14:00–17:30); counting starts at the start instant, or at the next office
  session if the start is outside office hours. Natural hours run round the clock.
* Pauses (中止: suspension, testing or appraisal time) do not count. For the two
  day kinds every local day that a pause touches after the start day is not
  counted; for the two hour kinds exactly the paused time is not counted.
  A pause therefore never makes a deadline earlier.
* Extensions of the same kind as the period add up (5 + 5 working days is 10
  working days); an extension of another kind runs from the previous due instant.
* A year whose holidays are not loaded is counted with weekends only and every
  deadline that touches it carries a warning.

Speed: the calendar precomputes, for every day of its range, whether it is a
working day and how many working days precede it, so adding N working days is
two list look-ups, and the explanation is sliced out of sorted lists with
``bisect`` instead of walking the days.
"""

from __future__ import annotations

import bisect
import datetime as dt
import enum
import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")
END_OF_DAY = dt.time(23, 59, 59, 999999)
WEEKDAY_NAMES = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


# The engine has no Django, and speaks Chinese. The texts a reader sees at
# display time (a status label, a due time) go through ``gettext``/``ngettext``
# parameters, identities here; Django's edges pass Django's, so the reader's
# language applies (``oneteam.worktime.services.status_text``) and makemessages
# finds the Chinese originals by those names.
def _same(message: str) -> str:
    return message


def _same_plural(singular: str, plural: str, n: int) -> str:
    return singular


def weekday_name(day: dt.date, gettext=_same) -> str:
    return (gettext("周一"), gettext("周二"), gettext("周三"), gettext("周四"), gettext("周五"), gettext("周六"),
            gettext("周日"))[day.weekday()]


def due_text(due: dt.datetime, *, days: bool, gettext=_same) -> str:
    """``2026-10-13（周二）24:00前`` for a day deadline ending at midnight,
    ``2026-10-13（周二）09:30`` otherwise."""
    local = due.astimezone(TZ)
    parts = {"date": local.date().isoformat(), "weekday": weekday_name(local.date(), gettext)}
    if days and local.time() >= END_OF_DAY.replace(microsecond=0):  # stored ISO times keep whole seconds
        return gettext("%(date)s（%(weekday)s）24:00前") % parts
    return gettext("%(date)s（%(weekday)s）%(time)s") % {**parts, "time": local.strftime("%H:%M")}


def short_duration(delta: dt.timedelta, ngettext=_same_plural) -> str:
    """``3天``, ``5小时``, ``20分钟`` (at least a minute)."""
    minutes = max(1, int(delta.total_seconds() // 60))
    if minutes >= 24 * 60:
        n = minutes // (24 * 60)
        return ngettext("%(n)d天", "%(n)d天", n) % {"n": n}
    if minutes >= 60:
        n = minutes // 60
        return ngettext("%(n)d小时", "%(n)d小时", n) % {"n": n}
    return ngettext("%(n)d分钟", "%(n)d分钟", minutes) % {"n": minutes}
DEFAULT_OFFICE_HOURS: tuple[tuple[dt.time, dt.time], ...] = (
    (dt.time(8, 30), dt.time(12, 0)),
    (dt.time(14, 0), dt.time(17, 30)),
)
DEFAULT_FIRST_YEAR = 2000
DEFAULT_LAST_YEAR = 2060

_US = 1_000_000  # microseconds per second
_HOUR_US = 3600 * _US

#: ``chinese-calendar`` names → the Chinese names used in explanations.
HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}

#: Corrections applied on top of ``chinese-calendar`` before any database
#: notice: ``{date: ("off" | "working", name)}``. Empty today: version 1.11
#: matches the State Council notices through 2026 (checked by the tests).
BUILTIN_CORRECTIONS: dict[dt.date, tuple[str, str]] = {}


class CalendarError(ValueError):
    """Bad input to the engine (naive datetime, negative amount, out of range).
    The message is Chinese and fit to show to a person."""


class PeriodKind(enum.StrEnum):
    WORKING_DAYS = "working_days"
    CALENDAR_DAYS = "calendar_days"
    WORKING_HOURS = "working_hours"
    NATURAL_HOURS = "natural_hours"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]

    @property
    def unit(self) -> str:
        return _KIND_UNITS[self]

    @property
    def is_days(self) -> bool:
        return self in (PeriodKind.WORKING_DAYS, PeriodKind.CALENDAR_DAYS)


_KIND_LABELS = {
    PeriodKind.WORKING_DAYS: "工作日",
    PeriodKind.CALENDAR_DAYS: "自然日",
    PeriodKind.WORKING_HOURS: "工作小时",
    PeriodKind.NATURAL_HOURS: "自然小时",
}
_KIND_UNITS = {
    PeriodKind.WORKING_DAYS: "个工作日",
    PeriodKind.CALENDAR_DAYS: "日",
    PeriodKind.WORKING_HOURS: "个工作小时",
    PeriodKind.NATURAL_HOURS: "小时",
}


@dataclass(frozen=True)
class Period:
    """A legal period: ``amount`` units of ``kind`` (amount ≥ 0)."""

    kind: PeriodKind
    amount: int

    def __post_init__(self) -> None:
        try:
            kind = PeriodKind(self.kind)
        except ValueError:
            raise CalendarError(f"未知的期限类型：{self.kind}") from None
        object.__setattr__(self, "kind", kind)
        if isinstance(self.amount, bool) or not isinstance(self.amount, int):
            raise CalendarError(f"期限数量必须是整数：{self.amount!r}")
        if self.amount < 0:
            raise CalendarError(f"期限数量不能为负数：{self.amount}")

    def __str__(self) -> str:
        return f"{self.amount}{self.kind.unit}"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "amount": self.amount, "label": str(self)}


@dataclass(frozen=True)
class Pause:
    """An interval that does not count (中止: suspension, testing or appraisal
    time). ``end`` None means still paused: it counts up to "now"."""

    start: dt.datetime
    end: dt.datetime | None = None
    reason: str = ""

    def __post_init__(self) -> None:
        _require_aware(self.start, "中止开始时间")
        if self.end is not None:
            _require_aware(self.end, "中止结束时间")
            if self.end < self.start:
                raise CalendarError("中止结束时间早于开始时间")

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": _iso(self.start),
            "end": _iso(self.end) if self.end is not None else None,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Extension:
    """An extension (延长) of a running deadline, with its reason."""

    period: Period
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {**self.period.to_dict(), "reason": self.reason}


class DayNote(NamedTuple):
    """One day named in an explanation: a skipped day or a counted adjusted
    working day. ``cause`` is ``weekend``, ``holiday``, ``pause`` or ``adjusted``.
    (A named tuple: the calendar makes one per rest day of its range up front.)"""

    date: dt.date
    reason: str
    cause: str

    def to_dict(self) -> dict[str, str]:
        return {"date": self.date.isoformat(), "reason": self.reason, "cause": self.cause}


@dataclass(frozen=True)
class Explanation:
    """Why a deadline falls where it does, in Chinese."""

    rule: str
    skipped: tuple[DayNote, ...] = ()
    adjusted_working_days: tuple[DayNote, ...] = ()
    notes: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        """Human-readable lines: the rule, skipped days grouped into runs, the
        adjusted working days counted, then the notes."""
        out = [self.rule]
        if self.skipped:
            out.append("不计入：" + "；".join(_runs(self.skipped)))
        if self.adjusted_working_days:
            out.append(
                "调休上班日计入："
                + "；".join(
                    f"{d.date.isoformat()}（{WEEKDAY_NAMES[d.date.weekday()]}，{d.reason}）"
                    for d in self.adjusted_working_days
                )
            )
        out.extend(self.notes)
        return out

    def text(self) -> str:
        return "\n".join(self.lines())


@dataclass(frozen=True)
class Status:
    """Where a deadline stands at a moment."""

    overdue: bool
    due_today: bool
    remaining: dt.timedelta  # negative when overdue
    working_days_overdue: int
    #: Working days from today to the due day (0 when due today or overdue).
    working_days_left: int = 0

    @property
    def level(self) -> str:
        """A CSS-friendly level: ``ok``, ``warn`` (due today) or ``bad`` (overdue)."""
        return "bad" if self.overdue else "warn" if self.due_today else "ok"

    @property
    def label(self) -> str:
        """Chinese: "剩余3个工作日", "今日到期", "已超期2个工作日" (see :meth:`text`)."""
        return self.text()

    def text(self, gettext=_same, ngettext=_same_plural) -> str:
        """The label through ``gettext``/``ngettext`` (Django's: the reader's language)."""
        if self.overdue:
            n = self.working_days_overdue
            if n > 0:
                return ngettext("已超期%(n)d个工作日", "已超期%(n)d个工作日", n) % {"n": n}
            return gettext("已超期%(d)s") % {"d": short_duration(-self.remaining, ngettext)}
        if self.due_today:
            return gettext("今日到期")
        n = self.working_days_left
        if n > 0:
            return ngettext("剩余%(n)d个工作日", "剩余%(n)d个工作日", n) % {"n": n}
        return gettext("剩余%(d)s") % {"d": short_duration(self.remaining, ngettext)}


@dataclass(frozen=True)
class Deadline:
    """A computed deadline and its explanation."""

    start: dt.datetime
    period: Period
    due: dt.datetime  # aware, Asia/Shanghai
    explanation: Explanation
    warnings: tuple[str, ...] = ()
    pauses: tuple[Pause, ...] = ()
    extensions: tuple[Extension, ...] = ()
    #: An open pause (end None) is running: the due shown assumes it ends "now".
    suspended: bool = False

    @property
    def due_date(self) -> dt.date:
        return self.due.astimezone(TZ).date()

    @property
    def rule(self) -> str:
        return self.explanation.rule

    def due_display(self, gettext=_same) -> str:
        """``2026-10-13（周二）24:00前`` for day kinds, ``2026-10-13（周二）09:30`` for hour kinds."""
        return due_text(self.due, days=self.period.kind.is_days, gettext=gettext)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form; ``due`` is ISO-8601 with ``+08:00``."""
        return {
            "due": _iso(self.due),
            "due_date": self.due_date.isoformat(),
            "due_display": self.due_display(),
            "start": _iso(self.start),
            "kind": self.period.kind.value,
            "amount": self.period.amount,
            "period": str(self.period),
            "rule": self.explanation.rule,
            "skipped": [d.to_dict() for d in self.explanation.skipped],
            "adjusted_working_days": [d.to_dict() for d in self.explanation.adjusted_working_days],
            "notes": list(self.explanation.notes),
            "explanation": self.explanation.lines(),
            "pauses": [p.to_dict() for p in self.pauses],
            "extensions": [e.to_dict() for e in self.extensions],
            "warnings": list(self.warnings),
            "suspended": self.suspended,
        }


@dataclass(frozen=True)
class DayInfo:
    """One day of the calendar: ``kind`` is ``workday``, ``weekend``,
    ``holiday`` or ``adjusted`` (调休上班)."""

    date: dt.date
    working: bool
    kind: str
    name: str = ""
    loaded: bool = True

    @property
    def weekday_name(self) -> str:
        return WEEKDAY_NAMES[self.date.weekday()]


class _Trace:
    """What one computation skipped, collected while it runs (a plain slotted
    class: it is made for every deadline, so it should be cheap)."""

    __slots__ = ("adjusted", "notes", "skipped", "years")

    def __init__(self) -> None:
        self.skipped: dict[dt.date, DayNote] = {}
        self.adjusted: dict[dt.date, DayNote] = {}
        self.notes: list[str] = []
        self.years: set[int] = set()


class Calendar:
    """An immutable working-day calendar with a precomputed index.

    ``holidays`` maps statutory rest days to their holiday name (国庆节 …);
    ``working_days`` maps adjusted working days (调休上班) to the holiday they
    make up for. ``loaded_years`` are the years whose holiday arrangement is
    known; any other year is counted with weekends only and flagged.
    """

    def __init__(
        self,
        *,
        holidays: Mapping[dt.date, str] | None = None,
        working_days: Mapping[dt.date, str] | None = None,
        loaded_years: Iterable[int] = (),
        office_hours: Sequence[tuple[dt.time, dt.time]] = DEFAULT_OFFICE_HOURS,
        first_year: int = DEFAULT_FIRST_YEAR,
        last_year: int = DEFAULT_LAST_YEAR,
        version: Any = None,
    ) -> None:
        holidays = dict(holidays or {})
        working_days = dict(working_days or {})
        both = set(holidays) & set(working_days)
        if both:
            raise CalendarError("同一天既是放假日又是调休上班日：" + "、".join(sorted(d.isoformat() for d in both)))
        years = [d.year for d in (*holidays, *working_days)]
        self.first_year = min([first_year, *years])
        self.last_year = max([last_year, *years])
        self.loaded_years = frozenset(loaded_years)
        self.version = version
        self._holidays = holidays
        self._working_names = working_days
        self._sessions = _sessions(office_hours)
        self.office_hours = tuple(office_hours)
        self._day_us = sum(e - s for s, e in self._sessions)
        self._office_hours_note = (
            "工作时间"
            + "、".join(f"{a:%H:%M}–{b:%H:%M}" for a, b in self.office_hours)
            + "，午休、下班时间和休息日不计。"
        )

        first = dt.date(self.first_year, 1, 1)
        last = dt.date(self.last_year, 12, 31)
        self._base = first.toordinal()
        self._first = first
        self._last = last
        n = last.toordinal() - self._base + 1
        self._n = n
        # Weekday of index 0, so index i falls on (w0 + i) % 7 without a date object.
        w0 = first.weekday()
        working = bytearray(1 if (w0 + i) % 7 < 5 else 0 for i in range(n))
        for d in holidays:
            working[d.toordinal() - self._base] = 0
        for d in working_days:
            working[d.toordinal() - self._base] = 1
        self._working = working
        cum = [0] * (n + 1)
        total = 0
        wd: list[int] = []
        rest: list[int] = []
        for i in range(n):
            cum[i] = total
            if working[i]:
                wd.append(i)
                total += 1
            else:
                rest.append(i)
        cum[n] = total
        #: cum[i] = number of working days with index < i.
        self._cum = cum
        #: Indexes of working days, in order: the k-th working day is _wd[k].
        self._wd = wd
        #: Indexes of rest days and of adjusted working days, sorted, for explanations.
        self._rest = rest
        self._adjusted = sorted(d.toordinal() - self._base for d in working_days if d.weekday() >= 5)
        self._items: tuple[list, list] | None = None

    def _notes(self) -> tuple[list, list]:
        """The explanation's day notes for every rest day and adjusted working
        day, made once on first use (a deadline slices them instead of building
        them). Two threads may both build them; the result is the same."""
        items = self._items
        if items is None:
            rest = []
            for i in self._rest:
                d = self._date(i)
                rest.append((d, DayNote(d, *self._rest_reason(d))))
            adjusted = []
            for i in self._adjusted:
                d = self._date(i)
                adjusted.append((d, DayNote(d, f"{self._working_names[d]}调休上班", "adjusted")))
            items = self._items = (rest, adjusted)
        return items

    # ------------------------------------------------------------------ days

    def _index(self, d: dt.date) -> int:
        i = d.toordinal() - self._base
        if not 0 <= i < self._n:
            raise CalendarError(f"日期{d.isoformat()}超出日历范围（{self.first_year}–{self.last_year}年）")
        return i

    def _date(self, i: int) -> dt.date:
        return dt.date.fromordinal(self._base + i)

    def is_working_day(self, d: dt.date) -> bool:
        i = d.toordinal() - self._base
        if 0 <= i < self._n:
            return bool(self._working[i])
        return d.weekday() < 5

    def is_year_loaded(self, year: int) -> bool:
        return year in self.loaded_years

    def missing_years(self, first: int, last: int) -> list[int]:
        return [y for y in range(first, last + 1) if y not in self.loaded_years]

    def holiday_name(self, d: dt.date) -> str:
        return self._holidays.get(d, "")

    def day_info(self, d: dt.date) -> DayInfo:
        loaded = d.year in self.loaded_years
        if d in self._holidays:
            return DayInfo(d, False, "holiday", self._holidays[d], loaded)
        if d in self._working_names:
            if d.weekday() >= 5:
                return DayInfo(d, True, "adjusted", self._working_names[d], loaded)
            return DayInfo(d, True, "workday", self._working_names[d], loaded)
        if d.weekday() >= 5:
            return DayInfo(d, False, "weekend", "", loaded)
        return DayInfo(d, True, "workday", "", loaded)

    def month(self, year: int, month: int) -> list[DayInfo]:
        d = dt.date(year, month, 1)
        out = []
        while d.month == month:
            out.append(self.day_info(d))
            d += dt.timedelta(days=1)
        return out

    def special_days(self, year: int) -> list[DayInfo]:
        """Holidays and adjusted working days dated in ``year``, in date order."""
        days = [d for d in (*self._holidays, *self._working_names) if d.year == year]
        return [self.day_info(d) for d in sorted(days)]

    def working_days_in_year(self, year: int) -> int:
        a = self._index(dt.date(year, 1, 1))
        b = self._index(dt.date(year, 12, 31))
        return self._cum[b + 1] - self._cum[a]

    def working_days_between(self, a: dt.date, b: dt.date) -> int:
        """Working days in (a, b]: ``a`` excluded, ``b`` included; negative
        (−working days in (b, a]) when b is before a."""
        if b < a:
            return -self.working_days_between(b, a)
        ia, ib = self._index(a), self._index(b)
        return self._cum[ib + 1] - self._cum[ia + 1]

    def add_working_days(self, d: dt.date, n: int) -> dt.date:
        """The n-th working day after ``d`` (``d`` itself not counted); ``d`` for n = 0."""
        if n < 0:
            raise CalendarError(f"期限数量不能为负数：{n}")
        i = self._index(d)
        if n == 0:
            return d
        k = self._cum[i + 1] + n - 1
        if k >= len(self._wd):
            raise CalendarError(f"期限超出日历范围（{self.first_year}–{self.last_year}年）")
        return self._date(self._wd[k])

    def next_working_day(self, d: dt.date) -> dt.date:
        """The first working day on or after ``d``."""
        i = self._index(d)
        return d if self._working[i] else self.add_working_days(d, 1)

    def _rest_reason(self, d: dt.date) -> tuple[str, str]:
        name = self._holidays.get(d)
        if name:
            return name, "holiday"
        return "周末", "weekend"

    # ------------------------------------------------------------- deadlines

    def deadline(
        self,
        start: dt.datetime,
        period: Period,
        *,
        pauses: Sequence[Pause] = (),
        extensions: Sequence[Extension] = (),
        now: dt.datetime | None = None,
    ) -> Deadline:
        """Compute the deadline of ``period`` starting at ``start``.

        ``pauses`` do not count; ``extensions`` are added after the period.
        ``now`` is only used for a pause that has not ended (default: the
        current time).
        """
        start = _as_local(start, "起算时间")
        if not isinstance(period, Period):
            raise CalendarError("期限必须是 Period")
        pauses = tuple(pauses)
        extensions = tuple(extensions)
        suspended = False
        intervals: list = []
        if pauses:
            suspended = any(p.end is None for p in pauses)
            open_end = None
            if suspended:
                open_end = _as_local(now, "当前时间") if now is not None else dt.datetime.now(TZ)
            intervals = _merge_pauses(pauses, start, open_end)

        # Same-kind extensions add up; another kind runs from the previous due.
        segments: list[list] = [[period.kind, period.amount, ()]]
        for ext in extensions:
            if ext.period.kind == segments[-1][0]:
                segments[-1][1] += ext.period.amount
                segments[-1][2] += (ext,)
            else:
                segments.append([ext.period.kind, ext.period.amount, (ext,)])

        trace = _Trace()
        cursor = start
        rules = []
        for index, (kind, amount, exts) in enumerate(segments):
            cursor = self._compute(kind, cursor, amount, intervals, trace)
            rules.append(_rule_text(kind, amount, exts, first=index == 0))
        rule = _base_rule(period, start) + "；".join(rules) + "。"

        if suspended:
            trace.notes.append("期限中止尚未结束：到期时间按截至当前计算，中止结束后再顺延。")
        missing = trace.years - self.loaded_years
        warnings = tuple(missing_year_warning(y) for y in sorted(missing)) if missing else ()
        if len(segments) == 1 and not intervals:
            # One range, no pauses: the notes were added in date order, without overlap.
            skipped = tuple(trace.skipped.values())
            adjusted = tuple(trace.adjusted.values())
        else:
            skipped = tuple(trace.skipped[d] for d in sorted(trace.skipped))
            adjusted = tuple(trace.adjusted[d] for d in sorted(trace.adjusted) if d not in trace.skipped)
        explanation = Explanation(rule=rule, skipped=skipped, adjusted_working_days=adjusted, notes=tuple(trace.notes))
        return Deadline(
            start=start,
            period=period,
            due=cursor,
            explanation=explanation,
            warnings=warnings,
            pauses=pauses,
            extensions=extensions,
            suspended=suspended,
        )

    def _compute(self, kind: PeriodKind, start: dt.datetime, amount: int, pauses: list, trace: _Trace) -> dt.datetime:
        if kind is PeriodKind.WORKING_DAYS:
            return self._working_days(start, amount, pauses, trace)
        if kind is PeriodKind.CALENDAR_DAYS:
            return self._calendar_days(start, amount, pauses, trace)
        if kind is PeriodKind.WORKING_HOURS:
            return self._working_hours(start, amount, pauses, trace)
        return self._natural_hours(start, amount, pauses, trace)

    def _paused_days(self, start_index: int, pauses: list) -> list[int]:
        """Sorted indexes of days after the start day that a pause touches."""
        days: set[int] = set()
        for a, b, _reason in pauses:
            if a.date() > self._last:
                continue  # beyond the calendar: it cannot touch a deadline inside it
            first = max(self._index(a.date()), start_index + 1)
            # A pause ending exactly at midnight does not touch the new day.
            last_moment = b - dt.timedelta(microseconds=1)
            if last_moment < a:
                continue
            last = self._index(min(last_moment.date(), self._last))
            days.update(range(first, last + 1))
        return sorted(days)

    def _note_pause_days(self, days: Iterable[int], pauses: list, trace: _Trace) -> None:
        for i in days:
            d = self._date(i)
            reason = next((r for a, b, r in pauses if a.date() <= d <= b.date()), "")
            trace.skipped[d] = DayNote(d, f"中止：{reason}" if reason else "中止", "pause")

    def _note_range(self, a: int, b: int, trace: _Trace, paused: list[int], pauses: list) -> None:
        """Explain days in (a, b]: rest days skipped, adjusted working days counted."""
        rest, adj = self._rest, self._adjusted
        rest_items, adjusted_items = self._notes()
        trace.skipped.update(rest_items[bisect.bisect_right(rest, a) : bisect.bisect_right(rest, b)])
        trace.adjusted.update(adjusted_items[bisect.bisect_right(adj, a) : bisect.bisect_right(adj, b)])
        lo, hi = bisect.bisect_right(paused, a), bisect.bisect_right(paused, b)
        if lo < hi:
            self._note_pause_days(paused[lo:hi], pauses, trace)
        trace.years.update(range(self._date(min(a + 1, b)).year, self._date(b).year + 1))

    def _working_days(self, start: dt.datetime, n: int, pauses: list, trace: _Trace) -> dt.datetime:
        i0 = self._index(start.date())
        paused_all = self._paused_days(i0, pauses) if pauses else []
        paused = [i for i in paused_all if self._working[i]]
        cur, need = i0, n
        due = i0
        if n:
            while True:
                k = self._cum[cur + 1] + need - 1
                if k >= len(self._wd):
                    raise CalendarError(f"期限超出日历范围（{self.first_year}–{self.last_year}年）")
                due = self._wd[k]
                p = bisect.bisect_right(paused, due) - bisect.bisect_right(paused, cur)
                if not p:
                    break
                cur, need = due, p
        self._note_range(i0, due, trace, paused, pauses)
        return _end_of(self._date(due))

    def _calendar_days(self, start: dt.datetime, n: int, pauses: list, trace: _Trace) -> dt.datetime:
        i0 = self._index(start.date())
        paused = self._paused_days(i0, pauses) if pauses else []
        cur, need = i0, n
        last = i0 + n
        while need:
            last = cur + need
            p = bisect.bisect_right(paused, last) - bisect.bisect_right(paused, cur)
            cur, need = last, p
        if last >= self._n:
            raise CalendarError(f"期限超出日历范围（{self.first_year}–{self.last_year}年）")
        self._note_pause_days(
            paused[bisect.bisect_right(paused, i0) : bisect.bisect_right(paused, last)], pauses, trace
        )
        due = last
        pset = set(paused)
        while not self._working[due] or due in pset:
            due += 1
            if due >= self._n:
                raise CalendarError(f"期限超出日历范围（{self.first_year}–{self.last_year}年）")
        last_day = self._date(last)
        trace.years.update(range(last_day.year, self._date(due).year + 1))
        if due != last:
            for i in range(last, due):
                d = self._date(i)
                if i in pset:
                    self._note_pause_days([i], pauses, trace)
                    continue
                reason, cause = self._rest_reason(d)
                trace.skipped[d] = DayNote(d, reason, cause)
            trace.notes.append(
                f"期限最后一日{last_day.isoformat()}（{WEEKDAY_NAMES[last_day.weekday()]}）"
                f"为{trace.skipped[last_day].reason}，"
                f"顺延至其后第一个工作日{self._date(due).isoformat()}"
                f"（{WEEKDAY_NAMES[self._date(due).weekday()]}）。"
            )
        elif last_day in self._working_names and last_day.weekday() >= 5:
            trace.adjusted[last_day] = DayNote(last_day, f"{self._working_names[last_day]}调休上班", "adjusted")
            trace.notes.append(f"期限最后一日{last_day.isoformat()}为调休上班日，不顺延。")
        return _end_of(self._date(due))

    # -------------------------------------------------------- working hours

    def _w(self, t: dt.datetime) -> int:
        """Office microseconds from the calendar's first day to ``t`` (local)."""
        i = self._index(t.date())
        base = self._cum[i] * self._day_us
        if not self._working[i]:
            return base
        us = ((t.hour * 60 + t.minute) * 60 + t.second) * _US + t.microsecond
        elapsed = 0
        for s, e in self._sessions:
            if us <= s:
                break
            elapsed += min(us, e) - s
        return base + elapsed

    def _w_inverse(self, w: int) -> dt.datetime:
        """The earliest local instant whose office-time position is ``w``."""
        k, r = divmod(w, self._day_us)
        if r == 0 and k > 0:
            day, us = self._wd[k - 1], self._sessions[-1][1]
        else:
            if k >= len(self._wd):
                raise CalendarError(f"期限超出日历范围（{self.first_year}–{self.last_year}年）")
            day = self._wd[k]
            us = self._sessions[0][0]
            for s, e in self._sessions:
                if r <= e - s:
                    us = s + r
                    break
                r -= e - s
        d = self._date(day)
        return dt.datetime(d.year, d.month, d.day, tzinfo=TZ) + dt.timedelta(microseconds=us)

    def _working_hours(self, start: dt.datetime, n: int, pauses: list, trace: _Trace) -> dt.datetime:
        w0 = self._w(start)
        target = w0 + n * _HOUR_US
        limit = _end_of(self._last)
        spans = [(self._w(a), self._w(min(b, limit)), a, b, r) for a, b, r in pauses if a <= limit]
        paused = 0
        while True:
            due = self._w_inverse(target + paused)
            due_w = target + paused
            p = sum(max(0, min(wb, due_w) - max(wa, w0)) for wa, wb, *_ in spans)
            if p == paused:
                break
            paused = p
        if n == 0 and not paused:
            due = start
        i0, i1 = self._index(start.date()), self._index(due.date())
        rest = self._rest
        # The start day is listed too when it is a rest day: counting waits for the next office session.
        rest_items, adjusted_items = self._notes()
        trace.skipped.update(rest_items[bisect.bisect_left(rest, i0) : bisect.bisect_left(rest, i1)])
        adj = self._adjusted
        trace.adjusted.update(adjusted_items[bisect.bisect_left(adj, i0) : bisect.bisect_right(adj, i1)])
        for wa, wb, a, b, r in spans:
            used = max(0, min(wb, due_w) - max(wa, w0))
            if used:
                trace.notes.append(
                    f"中止{_fmt(a)}至{_fmt(b)}{'（' + r + '）' if r else ''}，扣除工作时间{_hours(used)}。"
                )
        trace.notes.append(self._office_hours_note)
        trace.years.update(range(start.year, due.year + 1))
        return due

    def _natural_hours(self, start: dt.datetime, n: int, pauses: list, trace: _Trace) -> dt.datetime:
        base = start + dt.timedelta(hours=n)
        extra = dt.timedelta(0)
        while True:
            due = base + extra
            p = sum((max(dt.timedelta(0), min(b, due) - max(a, start)) for a, b, _ in pauses), dt.timedelta(0))
            if p == extra:
                break
            extra = p
        for a, b, r in pauses:
            used = min(b, due) - max(a, start)
            if used > dt.timedelta(0):
                trace.notes.append(
                    f"中止{_fmt(a)}至{_fmt(b)}{'（' + r + '）' if r else ''}，"
                    f"扣除{_hours(int(used.total_seconds() * _US))}。"
                )
        # Natural hours do not depend on holidays: no year warning.
        return due.astimezone(TZ)

    # --------------------------------------------------------------- status

    def status(self, due: dt.datetime, now: dt.datetime) -> Status:
        """Remaining time and overdue state of ``due`` at ``now``."""
        due = _as_local(due, "到期时间")
        now = _as_local(now, "当前时间")
        remaining = due - now
        overdue = now > due
        due_day, today = due.date(), now.date()
        if overdue:
            n = self.working_days_between(due_day, today)
            return Status(True, False, remaining, max(n, 0))
        if due_day == today:
            return Status(False, True, remaining, 0)
        return Status(False, False, remaining, 0, max(self.working_days_between(today, due_day), 0))


# ---------------------------------------------------------------- helpers


def _require_aware(value: Any, what: str) -> None:
    if not isinstance(value, dt.datetime):
        raise CalendarError(f"{what}必须是日期时间")
    if value.tzinfo is None or value.utcoffset() is None:
        raise CalendarError(f"{what}必须带时区")


def _as_local(value: Any, what: str) -> dt.datetime:
    """An aware datetime in Asia/Shanghai; a plain ``date`` is local midnight."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day, tzinfo=TZ)
    _require_aware(value, what)
    return value.astimezone(TZ)


def _end_of(d: dt.date) -> dt.datetime:
    return dt.datetime.combine(d, END_OF_DAY, tzinfo=TZ)


def _iso(value: dt.datetime) -> str:
    return value.astimezone(TZ).isoformat(timespec="seconds")


def _fmt(value: dt.datetime) -> str:
    return value.astimezone(TZ).strftime("%Y-%m-%d %H:%M")


def _hours(us: int) -> str:
    minutes = round(us / _US / 60)
    h, m = divmod(minutes, 60)
    return f"{h}小时{m}分钟" if m else f"{h}小时"


def _sessions(office_hours: Sequence[tuple[dt.time, dt.time]]) -> list[tuple[int, int]]:
    out = []
    prev = 0
    for a, b in office_hours:
        s = ((a.hour * 60 + a.minute) * 60 + a.second) * _US
        e = ((b.hour * 60 + b.minute) * 60 + b.second) * _US
        if not prev <= s < e:
            raise CalendarError("工作时间段必须按时间顺序排列且不重叠")
        out.append((s, e))
        prev = e
    if not out:
        raise CalendarError("至少需要一个工作时间段")
    return out


def _merge_pauses(pauses: Sequence[Pause], start: dt.datetime, open_end: dt.datetime | None) -> list:
    """Pauses as sorted, non-overlapping local (start, end, reason) triples
    clipped to begin no earlier than ``start``."""
    items = []
    for p in pauses:
        a = max(p.start.astimezone(TZ), start)
        b = (p.end if p.end is not None else open_end).astimezone(TZ)
        if b > a:
            items.append([a, b, p.reason])
    items.sort(key=lambda x: x[0])
    merged: list = []
    for a, b, r in items:
        if merged and a <= merged[-1][1]:
            if b > merged[-1][1]:
                merged[-1][1] = b
            if r and r not in merged[-1][2]:
                merged[-1][2] = f"{merged[-1][2]}、{r}" if merged[-1][2] else r
        else:
            merged.append([a, b, r])
    return [tuple(m) for m in merged]


def _runs(days: Sequence[DayNote]) -> list[str]:
    """Group consecutive days with the same reason: ``2026-10-01至2026-10-07 国庆节``."""
    out: list[str] = []
    run: list[DayNote] = []
    for d in days:
        if run and d.reason == run[-1].reason and (d.date - run[-1].date).days == 1:
            run.append(d)
            continue
        if run:
            out.append(_run_text(run))
        run = [d]
    if run:
        out.append(_run_text(run))
    return out


def _run_text(run: list[DayNote]) -> str:
    if len(run) == 1:
        d = run[0].date
        return f"{d.isoformat()}（{WEEKDAY_NAMES[d.weekday()]}）{run[0].reason}"
    return f"{run[0].date.isoformat()}至{run[-1].date.isoformat()} {run[0].reason}（{len(run)}天）"


def _base_rule(period: Period, start: dt.datetime) -> str:
    if period.kind.is_days:
        return f"起算日{start.date().isoformat()}（{WEEKDAY_NAMES[start.weekday()]}）不计入，自次日起"
    return f"自{_fmt(start)}起"


def missing_year_warning(year: int) -> str:
    return f"{year}年节假日安排未导入，该年按普通周末计算，期限可能有误"


@functools.lru_cache(maxsize=4096)
def _rule_text(kind: PeriodKind, amount: int, exts: tuple[Extension, ...], *, first: bool) -> str:
    """One segment of the rule: the period (first segment) or an extension of
    another kind, then its same-kind extensions and the total."""
    base = amount - sum(e.period.amount for e in exts)
    parts = []
    if first:
        parts.append(
            {
                PeriodKind.WORKING_DAYS: f"按工作日计算{base}个工作日",
                PeriodKind.CALENDAR_DAYS: f"按自然日计算{base}日",
                PeriodKind.WORKING_HOURS: f"按工作时间计算{base}个工作小时",
                PeriodKind.NATURAL_HOURS: f"按自然时间连续计算{base}小时",
            }[kind]
        )
    for ext in exts:
        parts.append(f"延长{ext.period}" + (f"（{ext.reason}）" if ext.reason else ""))
    if exts and first:
        parts.append(f"共{amount}{kind.unit}")
    if kind is PeriodKind.WORKING_DAYS:
        parts.append(f"至其后第{amount}个工作日结束" if first else "至其后相应工作日结束")
    elif kind is PeriodKind.CALENDAR_DAYS:
        parts.append("最后一日为休息日的，顺延至其后第一个工作日")
    return "，".join(parts)


# ------------------------------------------------------------ built-in data


def builtin_data() -> tuple[dict[dt.date, str], dict[dt.date, str], frozenset[int]]:
    """Holidays, adjusted working days and covered years from the
    ``chinese-calendar`` package, names in Chinese, with
    :data:`BUILTIN_CORRECTIONS` applied."""
    from chinese_calendar import constants

    holidays = {d: HOLIDAY_NAMES_ZH.get(str(v), str(v)) for d, v in constants.holidays.items()}
    working = {d: HOLIDAY_NAMES_ZH.get(str(v), str(v)) for d, v in constants.workdays.items()}
    years = {d.year for d in constants.holidays}
    loaded = frozenset(range(min(years), max(years) + 1))
    for d, (kind, name) in BUILTIN_CORRECTIONS.items():
        holidays.pop(d, None)
        working.pop(d, None)
        (holidays if kind == "off" else working)[d] = name
    return holidays, working, loaded


def default_calendar(**kwargs: Any) -> Calendar:
    """A calendar from the built-in data only (no database): for scripts and benchmarks."""
    holidays, working, loaded = builtin_data()
    return Calendar(holidays=holidays, working_days=working, loaded_years=loaded, **kwargs)
