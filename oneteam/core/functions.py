"""Database functions the ORM lacks in the form we need."""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo

from django.conf import settings
from django.db.models.functions import TruncDate


@functools.cache
def fixed_utc_offset(tz_name: str) -> dt.timedelta | None:
    """The zone's offset from UTC if it is the same all year (Asia/Shanghai
    has had no daylight saving time since 1991), else None."""
    zone = zoneinfo.ZoneInfo(tz_name)
    year = dt.date.today().year
    offsets = {dt.datetime(year, month, 1, 12, tzinfo=zone).utcoffset() for month in (1, 4, 7, 10)}
    return offsets.pop() if len(offsets) == 1 else None


class LocalDate(TruncDate):
    """``TruncDate`` in the current time zone, as SQL on SQLite too.

    Django's SQLite ``TruncDate`` calls a Python function for every row
    (``django_datetime_cast_date``): over the wall's 30 days at 10⁶ leads,
    ~90,000 calls. SQLite stores datetimes as UTC text, so in a zone with one
    offset all year the local date is ``date(value, '+480 minutes')``;
    elsewhere (daylight saving) Django's function is kept."""

    def as_sqlite(self, compiler, connection, **extra_context):
        offset = fixed_utc_offset(self.get_tzname() or settings.TIME_ZONE)
        if offset is None:
            return self.as_sql(compiler, connection, **extra_context)
        sql, params = compiler.compile(self.lhs)
        return f"date({sql}, %s)", (*params, f"{int(offset.total_seconds() // 60):+d} minutes")
