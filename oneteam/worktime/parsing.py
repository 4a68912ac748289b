"""Parsing local dates and times typed by people (command line, API, forms).
Pure Python: no Django import (messages are translated only when Django is set up)."""

from __future__ import annotations

import datetime as dt
import re

from .engine import TZ


def _(message: str) -> str:
    """``gettext`` once Django is set up (API, commands); the Chinese text otherwise."""
    try:
        from django.apps import apps
        from django.conf import settings
        from django.utils.translation import gettext
    except ImportError:
        return message
    return gettext(message) if settings.configured and apps.ready else message


class InputError(ValueError):
    """Bad input typed by a person; the message is in the current language (Chinese by default)."""


def parse_local(text: str, *, end_of_day: bool = False) -> dt.datetime:
    """A date (``2026-09-30``) or ISO datetime (``2026-09-30T10:00``, local time
    unless an offset is given) as an aware Asia/Shanghai datetime. A bare date
    is the start of that day, or the end of it (next midnight) with ``end_of_day``."""
    text = text.strip()
    if not text:
        raise InputError(_("时间不能为空"))
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            raise InputError(_("无法识别的日期“%(text)s”") % {"text": text}) from None
        value = dt.datetime(day.year, day.month, day.day, tzinfo=TZ)
        return value + dt.timedelta(days=1) if end_of_day else value
    try:
        value = dt.datetime.fromisoformat(text.replace(" ", "T", 1))
    except ValueError:
        raise InputError(
            _("无法识别的日期或时间“%(text)s”（应为 YYYY-MM-DD 或 YYYY-MM-DDTHH:MM）") % {"text": text}
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=TZ)
    return value.astimezone(TZ)
