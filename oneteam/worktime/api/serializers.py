"""API shapes for the calendar and deadlines."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..engine import PeriodKind
from ..models import HolidayNotice
from ..parsing import InputError, parse_local

KINDS = [k.value for k in PeriodKind]


class LocalDateTimeField(serializers.CharField):
    """A date (``2026-09-30``) or ISO datetime; without an offset it is Asia/Shanghai local time."""

    def __init__(self, *, end_of_day: bool = False, **kwargs):
        self.end_of_day = end_of_day
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        try:
            return parse_local(text, end_of_day=self.end_of_day)
        except InputError as exc:
            raise serializers.ValidationError(str(exc)) from None


class PauseSerializer(serializers.Serializer):
    start = LocalDateTimeField(help_text=_("中止开始：日期（当日0时起）或日期时间"))
    end = LocalDateTimeField(
        end_of_day=True,
        required=False,
        allow_null=True,
        help_text=_("中止结束：日期（含当日）或日期时间；为空表示尚未结束"),
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)

    def validate(self, attrs):
        if attrs.get("end") is not None and attrs["end"] < attrs["start"]:
            raise serializers.ValidationError(_("中止结束时间早于开始时间。"))
        return attrs


class ExtensionSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=KINDS, required=False, help_text=_("默认与期限同类"))
    amount = serializers.IntegerField(min_value=0, max_value=36500)
    reason = serializers.CharField(max_length=200, help_text=_("延长理由"))


class DeadlineRequestSerializer(serializers.Serializer):
    start = LocalDateTimeField(help_text=_("起算日期或时间（本地时间），如 2026-09-30 或 2026-09-30T10:00"))
    kind = serializers.ChoiceField(choices=KINDS)
    amount = serializers.IntegerField(min_value=0, max_value=36500)
    pauses = PauseSerializer(many=True, required=False, default=list)
    extensions = ExtensionSerializer(many=True, required=False, default=list)
    now = LocalDateTimeField(required=False, help_text=_("计算剩余时间所用的当前时间，默认服务器当前时间"))


class DayNoteSerializer(serializers.Serializer):
    date = serializers.DateField()
    reason = serializers.CharField()
    cause = serializers.ChoiceField(choices=["weekend", "holiday", "pause", "adjusted"])


class StatusSerializer(serializers.Serializer):
    overdue = serializers.BooleanField()
    due_today = serializers.BooleanField()
    remaining_seconds = serializers.IntegerField()
    working_days_overdue = serializers.IntegerField()
    label = serializers.CharField()


class DeadlineResponseSerializer(serializers.Serializer):
    """``Deadline.to_dict()`` plus its status at ``now``."""

    due = serializers.DateTimeField(help_text=_("到期时刻，ISO-8601，+08:00"))
    due_date = serializers.DateField()
    due_display = serializers.CharField()
    start = serializers.DateTimeField()
    kind = serializers.ChoiceField(choices=KINDS)
    amount = serializers.IntegerField()
    period = serializers.CharField()
    rule = serializers.CharField()
    skipped = DayNoteSerializer(many=True)
    adjusted_working_days = DayNoteSerializer(many=True)
    notes = serializers.ListField(child=serializers.CharField())
    explanation = serializers.ListField(child=serializers.CharField())
    pauses = PauseSerializer(many=True)
    extensions = ExtensionSerializer(many=True)
    warnings = serializers.ListField(child=serializers.CharField())
    suspended = serializers.BooleanField()
    status = StatusSerializer()


class CalendarDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    weekday = serializers.CharField()
    kind = serializers.ChoiceField(choices=["holiday", "adjusted", "workday"])
    name = serializers.CharField()


class HolidayNoticeSerializer(serializers.ModelSerializer):
    day_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = HolidayNotice
        fields = [
            "id",
            "year",
            "scope",
            "title",
            "reference",
            "published_on",
            "loaded_at",
            "loaded_by_name",
            "day_count",
        ]


class CalendarYearSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    loaded = serializers.BooleanField(help_text=_("该年节假日安排是否已导入（内置数据或数据库通知）"))
    working_days = serializers.IntegerField(help_text=_("全年工作日数"))
    months = serializers.ListField(child=serializers.IntegerField(), help_text=_("每月工作日数（1–12月）"))
    days = CalendarDaySerializer(many=True, help_text=_("放假日与调休上班日"))
    notices = HolidayNoticeSerializer(many=True)


class NoticeLoadSerializer(serializers.Serializer):
    text = serializers.CharField(help_text=_("通知文件内容，格式见 docs/worktime.md"), max_length=256 * 1024)
    dry_run = serializers.BooleanField(default=False, help_text=_("只预览，不保存"))


class NoticeChangeSerializer(serializers.Serializer):
    date = serializers.DateField()
    before = serializers.CharField()
    after = serializers.CharField()


class NoticePreviewSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    scope = serializers.CharField()
    title = serializers.CharField()
    holidays = serializers.IntegerField()
    working_days = serializers.IntegerField()
    changes = NoticeChangeSerializer(many=True)
    warnings = serializers.ListField(child=serializers.CharField())
    notice = HolidayNoticeSerializer(allow_null=True)
