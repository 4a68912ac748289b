"""Calendar pages: the year view (every staff member), the notice loader
(admins only) and a deadline calculator (htmx fragment or full page)."""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from oneteam.core.errors import ServiceError

from . import engine, forms, selectors, services


def missing_year_banner(request) -> list[dict]:
    """A warning on staff pages while the current or next year's holidays are not loaded."""
    years = services.missing_years(timezone.localdate(), max_age=services.BANNER_MAX_AGE)
    return [
        {
            "level": "warning",
            "message": _("%(year)s年节假日安排未导入，涉及该年的期限暂按普通周末计算。") % {"year": y}
            + (_("请系统管理员在“工作日历”中导入国务院通知。") if services.can_manage_calendar(request.user) else ""),
        }
        for y in years
    ]


def month_grids(calendar: engine.Calendar, year: int, changed: set[dt.date] | None = None) -> list[dict]:
    """Twelve months as weeks of days (Monday first) for the templates."""
    changed = changed or set()
    weeks_of = pycalendar.Calendar(firstweekday=0)
    months = []
    for month in range(1, 13):
        weeks = []
        for week in weeks_of.monthdatescalendar(year, month):
            weeks.append(
                [{"info": calendar.day_info(d), "changed": d in changed} if d.month == month else None for d in week]
            )
        months.append(
            {"month": month, "weeks": weeks, "working_days": sum(1 for d in calendar.month(year, month) if d.working)}
        )
    return months


@login_required
def calendar_view(request: HttpRequest, year: int | None = None) -> HttpResponse:
    calendar = services.get_calendar()
    year = year or timezone.localdate().year
    if not calendar.first_year <= year <= calendar.last_year:
        raise Http404
    return render(
        request,
        "worktime/calendar.html",
        {
            "year": year,
            "loaded": calendar.is_year_loaded(year),
            "working_days": calendar.working_days_in_year(year),
            "months": month_grids(calendar, year),
            "special_days": calendar.special_days(year),
            "notices": selectors.notices_for_year(year),
            "can_manage": services.can_manage_calendar(request.user),
            "form": forms.DeadlineForm(initial={"start": timezone.localdate(), "kind": "working_days", "amount": 5}),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def load_view(request: HttpRequest) -> HttpResponse:
    """Load a year's notice: paste or upload → preview month by month → save."""
    if not services.can_manage_calendar(request.user):
        raise PermissionDenied(_("只有系统管理员可以导入节假日安排。"))
    context: dict = {}
    if request.method == "POST":
        form = forms.NoticeForm(request.POST, request.FILES)
        if form.is_valid():
            text = form.cleaned_data["text"]
            try:
                parsed = services.parse_notice_text(text)
                if request.POST.get("action") == "save":
                    notice = services.do_load_notice(parsed, actor=request.user, source_text=text)
                    messages.success(
                        request,
                        _("已导入%(year)s年节假日安排（%(title)s）。") % {"year": notice.year, "title": notice.title},
                    )
                    return redirect(reverse("worktime:calendar_year", args=[notice.year]))
                before = services.get_calendar()
                after = services.preview_notice(parsed)
                changes = services.diff_calendars(before, after, parsed.year)
                context.update(
                    {
                        "parsed": parsed,
                        "changes": changes,
                        "months": month_grids(after, parsed.year, {dt.date.fromisoformat(c["date"]) for c in changes}),
                        "working_days": after.working_days_in_year(parsed.year),
                        "save_form": forms.NoticeForm(initial={"text": text}),
                    }
                )
            except ServiceError as exc:
                context["errors"] = exc.detail if isinstance(exc.detail, list) else [exc.message]
    else:
        form = forms.NoticeForm(initial={"text": forms.EXAMPLE_NOTICE})
    context["form"] = form
    return render(request, "worktime/load.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def deadline_view(request: HttpRequest) -> HttpResponse:
    """The deadline calculator: a fragment for htmx, a full page otherwise."""
    form = forms.DeadlineForm(request.POST or None)
    deadline = None
    if request.method == "POST" and form.is_valid():
        try:
            deadline = services.compute_deadline(**form.deadline_arguments())
        except engine.CalendarError as exc:
            form.add_error(None, str(exc))
    template = "worktime/partials/deadline_result.html" if request.htmx else "worktime/deadline.html"
    return render(request, template, {"form": form, "deadline": deadline})
