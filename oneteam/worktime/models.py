"""The calendar's database side: State Council holiday notices loaded by an
admin, which override the built-in ``chinese-calendar`` data day by day.

Notices are append-only: loading a year again adds a new notice that
supersedes the previous one, so the history of what the calendar said, when and
on whose authority, is kept forever (and every load is in the ledger).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import DayKind, NoticeScope


class HolidayNotice(models.Model):
    """A holiday arrangement as published (国务院办公厅关于某年部分节假日安排的
    通知), or a correction of individual days. A ``year`` notice replaces the
    whole year's data; an ``amendment`` changes only the days it lists."""

    year = models.PositiveSmallIntegerField(_("年份"))
    scope = models.CharField(_("范围"), max_length=20, choices=NoticeScope.choices, default=NoticeScope.YEAR)
    title = models.CharField(_("标题"), max_length=200)
    reference = models.CharField(_("文号"), max_length=100, blank=True)
    published_on = models.DateField(_("发布日期"), null=True, blank=True)
    source_text = models.TextField(_("导入原文"), blank=True)
    loaded_at = models.DateTimeField(_("导入时间"), auto_now_add=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("导入人"),
    )
    #: A copy of the loader's name, kept even if the account goes.
    loaded_by_name = models.CharField(_("导入人姓名"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("节假日安排通知")
        verbose_name_plural = _("节假日安排通知")
        ordering = ["-year", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100), name="worktime_holidaynotice_year_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.title}"


class NoticeDay(models.Model):
    """One day named by a notice: a statutory rest day (放假) with its holiday's
    name, or an adjusted working day (调休上班) with the holiday it makes up for."""

    notice = models.ForeignKey(HolidayNotice, on_delete=models.PROTECT, related_name="days")
    date = models.DateField(_("日期"))
    kind = models.CharField(_("类型"), max_length=10, choices=DayKind.choices)
    name = models.CharField(_("节日"), max_length=50)

    class Meta:
        verbose_name = _("通知中的日期")
        verbose_name_plural = _("通知中的日期")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "date"], name="worktime_noticeday_one_per_date"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"


class CalendarState(models.Model):
    """Singleton version counter, bumped by every calendar change so that each
    process rebuilds its cached calendar (see ``services.get_calendar``)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    version = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("日历版本")

    def __str__(self) -> str:
        return f"v{self.version}"
