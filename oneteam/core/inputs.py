"""Parsing what people type into pages and API parameters, with the
project's Chinese refusal (``InvalidInput``) instead of a traceback."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from .errors import InvalidInput


def parse_date(text: str | None, *, default: dt.date | None = None) -> dt.date | None:
    """``YYYY-MM-DD`` → a date; empty → ``default``; anything else is refused (code ``bad_date``)."""
    text = (text or "").strip()
    if not text:
        return default
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(_("日期格式应为 YYYY-MM-DD：%(v)s") % {"v": text}, code="bad_date") from None
