"""The one place where the kernel talks to the ``worktime`` engine.

A :class:`~oneteam.workflow.models.ProcessDeadline` row stores its period,
pauses and extensions as plain data; :func:`recompute` turns them into a due
time and an explanation through the calendar, and the row stores both, so
reads and metrics never touch the calendar again.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from oneteam.worktime.engine import Extension, Pause, Period, PeriodKind


def get_calendar():
    from oneteam.worktime.services import get_calendar as _get_calendar

    return _get_calendar()


def period_parts(period: Period) -> tuple[str, int]:
    kind = getattr(period.kind, "value", period.kind)
    return str(kind), int(period.amount)


def make_period(kind: str, amount: int) -> Period:
    return Period(PeriodKind(kind), amount)


def _dt(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


def recompute(deadline, now: dt.datetime | None = None) -> None:
    """Set ``deadline.due_at`` and ``deadline.explanation`` from its start,
    period, pauses and extensions. A pause still running (``paused_since``)
    counts up to ``now``; the due time is recomputed again when it ends."""
    cal = get_calendar()
    pauses = [Pause(_dt(p["start"]), _dt(p["end"]), p.get("reason", "")) for p in deadline.pauses]
    if deadline.paused_since is not None:
        pauses.append(Pause(deadline.paused_since, None, deadline.pause_reason))
    extensions = [Extension(make_period(e["kind"], e["amount"]), e.get("reason", "")) for e in deadline.extensions]
    result = cal.deadline(
        deadline.started_at,
        make_period(deadline.period_kind, deadline.period_amount),
        pauses=pauses,
        extensions=extensions,
        now=now,
    )
    deadline.due_at = result.due
    deadline.explanation = _jsonable(result.to_dict())


def status(due_at: dt.datetime, now: dt.datetime):
    """The worktime status (overdue, due_today, remaining, label …) of a due time;
    ``status_text`` gives its label in the reader's language."""
    return get_calendar().status(due_at, now)
