"""Parsing local dates and times typed by people (command line, API, forms).
Pure Python: no Django."""

from __future__ import annotations

import datetime as dt
import re

from .engine import TZ


class InputError(ValueError):
    """Bad input typed by a person; the message is Chinese."""


def parse_local(text: str, *, end_of_day: bool = False) -> dt.datetime:
    """A date (``2026-09-30``) or ISO datetime (``2026-09-30T10:00``, local time
    unless an offset is given) as an aware Asia/Shanghai datetime. A bare date
    is the start of that day, or the end of it (next midnight) with ``end_of_day``."""
    text = text.strip()
    if not text:
        raise InputError("时间不能为空")
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            raise InputError(f"无法识别的日期“{text}”") from None
        value = dt.datetime(day.year, day.month, day.day, tzinfo=TZ)
        return value + dt.timedelta(days=1) if end_of_day else value
    try:
        value = dt.datetime.fromisoformat(text.replace(" ", "T", 1))
    except ValueError:
        raise InputError(f"无法识别的日期或时间“{text}”（应为 YYYY-MM-DD 或 YYYY-MM-DDTHH:MM）") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=TZ)
    return value.astimezone(TZ)
