"""Command screens: the township command room, the city centre overview and
wall screen, the grid officer's mobile report and patrol pages. Every state
change goes through the kernel (``perform``) or ``command.services``."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from oneteam.core.access import scope_for
from oneteam.core.errors import ServiceError
from oneteam.core.paging import Counted
from oneteam.org.models import City, Township
from oneteam.workflow import services as kernel

from . import selectors, services
from .choices import Channel
from .forms import ReportForm
from .models import DuplicateSuggestion, Event, Patrol

BUCKET_LABELS = {
    "to_file": gettext_lazy("待立案"), "to_dispatch": gettext_lazy("待派遣"),
    "coordinating": gettext_lazy("待市级协调"),
    "in_progress": gettext_lazy("处置中"), "to_verify": gettext_lazy("待核查"), "to_visit": gettext_lazy("待回访"),
    "overdue": gettext_lazy("已超期"), "due_today": gettext_lazy("今日到期"),
}


def _township_for(request) -> Township | None:
    """The township a room page shows: the user's own, or the one chosen by a
    city-level user (``?township=``); None = all (city overview)."""
    user = request.user
    if user.body and user.body.township_id:
        return user.body.township
    if pk := request.GET.get("township"):
        if not pk.isdigit():
            raise Http404(_("没有这个乡镇(街道)。"))
        return get_object_or_404(Township.objects.visible_to(user), pk=pk)
    return None


@login_required
def room(request):
    township = _township_for(request)
    bucket = request.GET.get("bucket") or ""
    township_id = township.pk if township else None
    # City-level users without a township chosen also get the table per township.
    city_table = not township and not (request.user.body and request.user.body.township_id)
    now = timezone.now()
    counts = selectors.room_counts(request.user, township_id=township_id, now=now)
    listed = selectors.room_list(request.user, township_id=township_id, bucket=bucket or None, now=now)
    total = counts.counts[bucket] if bucket in selectors.LISTS else counts.counts["total"]
    page = Paginator(Counted(listed, total), 50).get_page(request.GET.get("page"))
    page.object_list = selectors.room_rows(list(page.object_list))
    _attach_deadlines(page.object_list)
    context = {
        "township": township, "bucket": bucket, "page": page,
        "counts": counts.counts,
        "bucket_labels": BUCKET_LABELS,
        "townships": counts.areas if city_table else None,
        "is_city": scope_for(request.user).everything,
    }
    template = "command/partials/room_rows.html" if request.htmx and request.htmx.target == "room-rows" else \
        "command/room.html"
    return render(request, template, context)


def _attach_deadlines(events) -> None:
    """The running deadline of each row (one query for the page)."""
    from oneteam.workflow.models import ProcessDeadline

    events = list(events)
    by_process: dict[int, object] = {}
    for d in ProcessDeadline.objects.filter(process_id__in=[e.process_id for e in events],
                                            stopped_at__isnull=True).order_by("due_at"):
        by_process.setdefault(d.process_id, d)
    for e in events:
        e.running_deadline = by_process.get(e.process_id)


@login_required
def events_geojson(request):
    township = _township_for(request)
    found = selectors.map_points(request.user, township_id=township.pk if township else None)
    # ``total`` is a foreign member (RFC 7946 §6.1): open leads in scope, of which ``features`` are the most pressing.
    return JsonResponse({"type": "FeatureCollection", "total": found.total, "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [p["lng"], p["lat"]]},
         "properties": {k: v for k, v in p.items() if k not in ("lng", "lat")}} for p in found.points]})


@login_required
@require_POST
def quick_dispatch(request, pk: int):
    """One-click dispatch of a filed lead to the proposed body."""
    event = get_object_or_404(Event.objects.visible_to(request.user).select_related("process"), pk=pk)
    try:
        if not event.proposed_body_id:
            raise ServiceError(_("该事件没有系统建议的承办单位，请在详情页选择。"), code="no_proposal")
        kernel.perform(event.process, "dispatch", actor=request.user, data={"body": event.proposed_body_id},
                       expected_version=request.POST.get("version"))
        messages.success(request, _("已派遣至%(b)s。") % {"b": event.proposed_body})
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect(request.POST.get("next") or "command:room")


@login_required
@require_POST
def supervise(request, pk: int):
    event = get_object_or_404(Event.objects.visible_to(request.user).select_related("process"), pk=pk)
    try:
        services.do_supervise(event, actor=request.user, reason=request.POST.get("reason", ""))
        messages.success(request, _("已督办。"))
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect(event.process.get_absolute_url())


@login_required
@require_POST
def keep_not_duplicate(request, pk: int):
    suggestion = get_object_or_404(DuplicateSuggestion.objects.filter(
        event__in=Event.objects.visible_to(request.user)), pk=pk)
    try:
        services.do_keep_not_duplicate(suggestion, actor=request.user)
        messages.success(request, _("已确认不是重复事件。"))
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect(suggestion.event.process.get_absolute_url())


@login_required
def report(request):
    """Mobile-first report: category, a line of text, a photo, the phone's
    position; dissuasion recorded on the spot."""
    form = ReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        intake = services.Intake(
            channel=d["channel"] or Channel.GRID_PATROL, category=d["category"], description=d["description"],
            lng=d["lng"], lat=d["lat"], address=d["address"], urgency=d["urgency"],
            township=request.user.body.township if request.user.body and d["lng"] is None else None,
            dissuaded=d["dissuaded"] or None, dissuasion_outcome=d["dissuasion_outcome"],
            idempotency_key=d["idempotency_key"], attachments=request.FILES.getlist("photos"),
            reporter_name=str(request.user),
        )
        try:
            result = services.report_event(intake, actor=request.user)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已上报，编号 %(n)s。") % {"n": result.event.process.number})
            return redirect(result.event.process.get_absolute_url())
    patrol = Patrol.objects.filter(officer=request.user, ended_at__isnull=True).first()
    return render(request, "command/report.html", {"form": form, "patrol": patrol})


@login_required
def patrol(request):
    current = Patrol.objects.filter(officer=request.user, ended_at__isnull=True).first()
    if request.method == "POST":
        try:
            op = request.POST.get("op")
            if op == "start":
                current = services.do_start_patrol(request.user, lng=_float(request.POST.get("lng")),
                                                   lat=_float(request.POST.get("lat")))
            elif op == "points" and current:
                points = json.loads(request.POST.get("points") or "[]")
                services.do_add_route_points(current, actor=request.user, points=points)
                return JsonResponse({"ok": True, "points": len(current.route)})
            elif op == "end" and current:
                services.do_end_patrol(current, actor=request.user)
                messages.success(request, _("巡查已结束。"))
                return redirect("command:patrol")
        except (ServiceError, ValueError) as exc:
            if request.htmx or request.POST.get("op") == "points":
                return JsonResponse({"code": "invalid", "message": getattr(exc, "message", str(exc))}, status=400)
            messages.error(request, getattr(exc, "message", str(exc)))
        return redirect("command:patrol")
    recent = Patrol.objects.filter(officer=request.user).order_by("-started_at")[:10]
    return render(request, "command/patrol.html", {"current": current, "recent": recent,
                                                   "checks": selectors.checks_for(request.user)})


def _float(value):
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


@login_required
def wall(request):
    """The city centre's wall screen: live counts, heat map, trends. Its title
    names the user's township, else their city (any county, not only Rui'an)."""
    township = _township_for(request)
    query = f"?township={township.pk}" if township and request.GET.get("township") else ""
    return render(request, "command/wall.html", {
        "title": _("%(place)s行政执法协同指挥大屏") % {"place": _wall_place(request.user, township)},
        "time_zone": settings.TIME_ZONE, "query": query, "and_query": query.replace("?", "&"),
        "areas_title": _("各村(社区)在办与超期") if township else _("各乡镇(街道)在办与超期")})


def _wall_place(user, township: Township | None) -> str:
    if township is not None:
        return township.name
    if user.body is not None:
        return user.body.city.name
    city = City.objects.order_by("pk").first()  # a user of no body (an administrator): the installation's city
    return city.name if city is not None else ""


@login_required
def wall_data(request):
    user = request.user
    # A township's wall (the user's own, or one a city-level user chose) counts that
    # township's leads, as its room does (and as fast: the township is the access
    # rule, not every process's parties).
    township = _township_for(request)
    township_id = township.pk if township else None
    area = "village" if township_id else "township"  # a township's wall ranks its villages
    scan = selectors.room_counts(user, township_id=township_id, area=area)
    activity = selectors.recent_activity(user, township_id=township_id)
    return JsonResponse({
        "counts": scan.counts,
        "areas": [{"name": row[f"{area}__name"], "open": row["open"], "overdue": row["overdue"]}
                  for row in scan.areas],
        "trend": activity.trend,
        "channels": [{"name": str(Channel(r["channel"]).label), "value": r["n"]} for r in activity.channels],
        "categories": [{"name": r["name"], "value": r["n"]} for r in activity.categories],
        "heat": selectors.heat_cells(user, township_id=township_id),
        "at": timezone.localtime().strftime("%H:%M:%S"),
    })

