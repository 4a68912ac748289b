import datetime as dt
import zoneinfo

import pytest
from django.db import connection
from django.db.models.functions import TruncDate
from django.utils import timezone

from oneteam.core.functions import LocalDate, fixed_utc_offset
from oneteam.org.models import User

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def test_fixed_offsets_and_zones_with_summer_time():
    assert fixed_utc_offset("Asia/Shanghai") == dt.timedelta(hours=8)
    assert fixed_utc_offset("Asia/Kolkata") == dt.timedelta(hours=5, minutes=30)
    assert fixed_utc_offset("Europe/Berlin") is None


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "Asia/Kolkata", "Europe/Berlin"])
def test_local_date_agrees_with_truncdate_around_local_midnight(zone):
    """One second either side of local midnight, in winter and summer: the
    same dates as Django's TruncDate, in SQL where the offset is fixed."""
    tz = zoneinfo.ZoneInfo(zone)
    moments = []
    for month in (1, 7):
        midnight = dt.datetime(2026, month, 15, tzinfo=tz)
        moments += [midnight - dt.timedelta(seconds=1), midnight]
    for i, moment in enumerate(moments):
        User.objects.create(username=f"u{i}", date_joined=moment.astimezone(UTC))
    with timezone.override(zone):
        qs = User.objects.order_by("username").annotate(day=LocalDate("date_joined"), django=TruncDate("date_joined"))
        rows = list(qs.values_list("day", "django"))
        sql = str(qs.query)
    assert [day for day, _ in rows] == [django for _, django in rows] == [
        dt.date(2026, 1, 14), dt.date(2026, 1, 15), dt.date(2026, 7, 14), dt.date(2026, 7, 15)]
    if connection.vendor == "sqlite":
        assert sql.count("django_datetime_cast_date") == (2 if fixed_utc_offset(zone) is None else 1)


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "Europe/Berlin"])
def test_rollups_raw_day_sql_follows_the_same_rule(zone, settings):
    """The roll-ups' raw SQL for a local day (``oversight.rollups._day_sql``)
    gives LocalDate's dates, summer time included."""
    from oneteam.oversight.rollups import _day_sql

    settings.TIME_ZONE = zone
    tz = zoneinfo.ZoneInfo(zone)
    for i, moment in enumerate([dt.datetime(2026, 7, 15, tzinfo=tz) - dt.timedelta(seconds=1),
                                dt.datetime(2026, 7, 15, tzinfo=tz)]):
        User.objects.create(username=f"r{i}", date_joined=moment.astimezone(UTC))
    with connection.cursor() as cur:
        cur.execute(f"SELECT {_day_sql('date_joined')} FROM {User._meta.db_table} ORDER BY username")
        days = [row[0] for row in cur.fetchall()]
    assert [str(d) for d in days] == ["2026-07-14", "2026-07-15"]
