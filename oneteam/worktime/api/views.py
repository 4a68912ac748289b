"""Calendar and deadline API: every authenticated user reads the calendar and
computes deadlines; only admins load notices (through the same service as the
admin page and the command)."""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from oneteam.core.errors import InvalidInput, NotPermitted

from .. import engine, selectors, services
from . import serializers as s


class CalendarYearView(APIView):
    @extend_schema(
        responses=s.CalendarYearSerializer,
        summary=gettext_lazy("某年的工作日历"),
        description=gettext_lazy("放假日、调休上班日、每月工作日数、是否已导入，以及该年导入过的通知。"),
    )
    def get(self, request, year: int):
        calendar = services.get_calendar()
        if not calendar.first_year <= year <= calendar.last_year:
            raise Http404
        days = [
            {"date": d.date, "weekday": d.weekday_name, "kind": d.kind, "name": d.name}
            for d in calendar.special_days(year)
        ]
        months = [sum(1 for d in calendar.month(year, m) if d.working) for m in range(1, 13)]
        data = {
            "year": year,
            "loaded": calendar.is_year_loaded(year),
            "working_days": calendar.working_days_in_year(year),
            "months": months,
            "days": days,
            "notices": selectors.notices_for_year(year),
        }
        return Response(s.CalendarYearSerializer(data).data)


class DeadlineComputeView(APIView):
    @extend_schema(
        request=s.DeadlineRequestSerializer,
        responses=s.DeadlineResponseSerializer,
        summary=gettext_lazy("计算期限"),
        description=gettext_lazy(
            "返回到期时刻（+08:00）、计算依据（跳过的日期及原因、计入的调休上班日、"
            "中止与延长）、警告，以及 now 时刻的剩余时间和超期状态。"
        ),
    )
    def post(self, request):
        form = s.DeadlineRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        kind = engine.PeriodKind(data["kind"])
        now = data.get("now") or timezone.now()
        try:
            pauses = [engine.Pause(p["start"], p.get("end"), p.get("reason", "")) for p in data["pauses"]]
            extensions = [
                engine.Extension(engine.Period(e.get("kind") or kind, e["amount"]), e["reason"])
                for e in data["extensions"]
            ]
            calendar = services.get_calendar()
            deadline = calendar.deadline(
                data["start"], engine.Period(kind, data["amount"]), pauses=pauses, extensions=extensions, now=now
            )
        except engine.CalendarError as exc:
            raise InvalidInput(str(exc), code="invalid_deadline") from None
        state = calendar.status(deadline.due, now)
        body = deadline.to_dict()
        body["status"] = {
            "overdue": state.overdue,
            "due_today": state.due_today,
            "remaining_seconds": int(state.remaining.total_seconds()),
            "working_days_overdue": state.working_days_overdue,
            "label": state.label,
        }
        return Response(body)


class NoticeView(APIView):
    @extend_schema(responses=s.HolidayNoticeSerializer(many=True), summary=gettext_lazy("已导入的节假日通知"))
    def get(self, request):
        return Response(s.HolidayNoticeSerializer(selectors.notices(), many=True).data)

    @extend_schema(
        request=s.NoticeLoadSerializer,
        responses={200: s.NoticePreviewSerializer, 201: s.NoticePreviewSerializer},
        summary=gettext_lazy("导入节假日通知（仅管理员）"),
        description=gettext_lazy("dry_run=true 时只返回预览；格式错误返回 400，detail 为逐行的中文错误。"),
    )
    def post(self, request):
        if not services.can_manage_calendar(request.user):
            raise NotPermitted(_("只有系统管理员可以导入节假日安排。"))
        form = s.NoticeLoadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        text = form.validated_data["text"]
        parsed = services.parse_notice_text(text)
        changes = services.diff_calendars(services.get_calendar(), services.preview_notice(parsed), parsed.year)
        notice = None
        if not form.validated_data["dry_run"]:
            saved = services.do_load_notice(parsed, actor=request.user, source_text=text)
            notice = selectors.notices().get(pk=saved.pk)
        body = {
            "year": parsed.year,
            "scope": parsed.scope,
            "title": parsed.title,
            "holidays": len(parsed.holidays),
            "working_days": len(parsed.working_days),
            "changes": changes,
            "warnings": list(parsed.warnings),
            "notice": notice,
        }
        return Response(
            s.NoticePreviewSerializer(body).data,
            status=status.HTTP_200_OK if notice is None else status.HTTP_201_CREATED,
        )
