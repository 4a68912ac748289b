"""Reads of calendar data. The calendar is public within the system (every
staff member computes deadlines on it), so there is no row-level scope here."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from .models import HolidayNotice


def notices_for_year(year: int) -> QuerySet[HolidayNotice]:
    """Every notice loaded for ``year``, newest first, with its day count."""
    return HolidayNotice.objects.filter(year=year).annotate(day_count=Count("days")).order_by("-pk")


def notices() -> QuerySet[HolidayNotice]:
    return HolidayNotice.objects.annotate(day_count=Count("days")).order_by("-year", "-pk")
