"""Turning loosely typed request values (form fields, Open311 attributes,
REST JSON) into what :class:`~oneteam.command.services.Intake` takes. Each
helper raises :class:`InvalidInput` with a machine code and a Chinese
message naming the field."""

from __future__ import annotations

import datetime as dt
import math
import re

from django.utils import timezone
from django.utils.translation import gettext as _

from oneteam.core.errors import InvalidInput
from oneteam.org.models import Township

from ..choices import DissuasionOutcome, Urgency

TRUE = {"true", "1", "yes", "y", "on", "是"}
FALSE = {"false", "0", "no", "n", "off", "否"}


def coordinate(value, name: str, low: float, high: float) -> float | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        raise InvalidInput(_("%(f)s 应为数字：%(v)s") % {"f": name, "v": str(value)[:40]},
                           code="bad_location") from None
    if math.isnan(number) or not (low <= number <= high):
        raise InvalidInput(_("%(f)s 超出范围（%(lo)s～%(hi)s）：%(v)s") % {"f": name, "lo": low, "hi": high,
                                                                        "v": str(value)[:40]}, code="bad_location")
    return number


def urgency(value) -> str:
    if value is None or str(value).strip() == "":
        return Urgency.NORMAL
    text = str(value).strip()
    for v, label in Urgency.choices:
        if text in (v, str(label)):
            return v
    raise InvalidInput(_("紧急程度无效：%(v)s（可选：normal 一般，urgent 紧急）") % {"v": text[:40]},
                       code="bad_urgency")


def dissuasion_outcome(value) -> str:
    if value is None or str(value).strip() == "":
        return ""
    text = str(value).strip()
    for v, label in DissuasionOutcome.choices:
        if text in (v, str(label)):
            return v
    raise InvalidInput(_("劝阻结果无效：%(v)s") % {"v": text[:40]}, code="bad_dissuasion")


def boolean(value, name: str) -> bool | None:
    if value is None or str(value).strip() == "":
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise InvalidInput(_("%(f)s 应为 true 或 false：%(v)s") % {"f": name, "v": text[:40]}, code="invalid")


_PLUS_LOST = re.compile(r" (\d{2}(?::?\d{2})?)$")


def datetime_value(value, name: str, *, end_of_day: bool = False) -> dt.datetime | None:
    """ISO 8601 date or date-time; naive times are Beijing time. A ``+08:00``
    whose plus became a space in an unencoded query string is restored. A bare
    date as an upper bound (``end_of_day``) means the end of that day."""
    if value is None or str(value).strip() == "":
        return None
    if isinstance(value, dt.datetime):
        parsed = value
    else:
        text = _PLUS_LOST.sub(r"+\1", str(value).strip())
        try:
            parsed = dt.datetime.fromisoformat(text)
        except ValueError:
            raise InvalidInput(_("%(f)s 应为ISO 8601日期时间（如 2026-05-06T09:30:00+08:00）：%(v)s")
                               % {"f": name, "v": text[:40]}, code="bad_datetime") from None
        if end_of_day and re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            parsed = parsed + dt.timedelta(days=1) - dt.timedelta(microseconds=1)
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def township(value) -> str:
    """A township as given (12-digit code or name), or its 3-digit code
    (``001`` 安阳街道) expanded to the full code when unambiguous."""
    text = str(value or "").strip()
    if re.fullmatch(r"\d{3}", text):
        codes = list(Township.objects.filter(code__endswith=f"{text}000").values_list("code", flat=True)[:2])
        if len(codes) == 1:
            return codes[0]
    return text
