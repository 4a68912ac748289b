"""Staff pages of the linkage context and the public inspection-code lookup.
Reads go through :mod:`.selectors` (``visible_to``), writes through
:mod:`.services` and the kernel, exactly as the API does."""

from __future__ import annotations

import datetime as dt

from django import forms as dj_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from oneteam.core.errors import ServiceError
from oneteam.org.choices import BodyKind
from oneteam.org.models import TOWNSHIP_BOUND_KINDS, Body
from oneteam.workflow import selectors as wf
from oneteam.workflow.models import Process

from . import conf, flows, forms, selectors, services
from .choices import MaterialKind, PlanStatus
from .identifiers import format_inspection_code
from .models import InspectionPlan

PAGE_SIZE = 25


def _staff(request) -> None:
    if not request.user.body_id and not request.user.is_superuser:
        raise PermissionDenied


def _rows(page):
    now = timezone.now()
    return [{"process": p, "deadline": wf.row_deadline(p, now),
             "assignees": [x.body for x in getattr(p, "active_parties", []) if x.role == "assignee"]}
            for p in page.object_list]


def _process_or_404(user, kind: str, pk: int) -> Process:
    return get_object_or_404(Process.objects.visible_to(user).filter(kind=kind), pk=pk)


def _year_bounds(today: dt.date) -> tuple[dt.date, dt.date]:
    return dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)


# ----- joint enforcement ------------------------------------------------------------------


@login_required
def joint_list(request):
    _staff(request)
    page = Paginator(selectors.processes(request.user, flows.JOINT), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "linkage/joint_list.html", {"page": page, "rows": _rows(page),
                                                       "flow": flows.JOINT_FLOW})


@login_required
def joint_new(request):
    _staff(request)
    form = forms.JointOperationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            p = services.do_plan_joint_operation(
                actor=request.user, title=d["title"], targets=d["targets"], place=d["place"],
                starts_on=d["starts_on"], ends_on=d["ends_on"], plan=d["plan"], participants=form.participants(),
                lead_body=d["lead_body"], launch=d["launch"])
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已创建联合执法 %(n)s。") % {"n": p.number})
            return redirect("linkage:joint-detail", pk=p.pk)
    return render(request, "linkage/joint_new.html", {"form": form,
                                                      "is_guidance": request.user.body and
                                                      request.user.body.kind == BodyKind.GUIDANCE_OFFICE})


@login_required
def joint_detail(request, pk: int):
    p = _process_or_404(request.user, flows.JOINT, pk)
    tasks = p.record.tasks.select_related("body").order_by("pk")
    return render(request, "linkage/joint_detail.html", {"process": p, "op": p.record, "tasks": tasks})


# ----- inspections ------------------------------------------------------------------------


@login_required
def plan_list(request):
    _staff(request)
    qs = selectors.plans_visible(request.user)
    status = request.GET.get("status") or ""
    if status in PlanStatus.values:
        qs = qs.filter(status=status)
    if request.GET.get("mine"):
        qs = qs.filter(body_id=request.user.body_id)
    page = Paginator(qs.order_by("planned_from", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    start, end = _year_bounds(timezone.localdate())
    return render(request, "linkage/plan_list.html", {
        "page": page, "status": status, "statuses": PlanStatus.choices,
        "warnings": selectors.warnings_overview(request.user, period_from=start, period_until=end, limit=20),
        "window": conf.merge_window_days()})


@login_required
def plan_new(request):
    _staff(request)
    form = forms.PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            items = form.item_inputs()
            target = services.do_register_target(actor=request.user, name=d["name"], kind=d["kind"],
                                                 credit_code=d["credit_code"], address=d["address"])
            plan = services.do_register_plan(actor=request.user, target=target, title=d["title"],
                                             planned_from=d["planned_from"], planned_until=d["planned_until"],
                                             items=items, note=d["note"])
        except dj_forms.ValidationError as exc:
            form.add_error("items", exc)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已登记检查计划。"))
            for w in selectors.target_warnings(plan.target):
                messages.warning(request, w)
            return redirect("linkage:plan-list")
    return render(request, "linkage/plan_new.html", {"form": form})


def _period(request) -> tuple[dt.date, dt.date, int]:
    start, end = _year_bounds(timezone.localdate())
    form = forms.PeriodForm(request.GET or None)
    window = conf.merge_window_days()
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data["period_from"], form.cleaned_data["period_until"]
        if form.cleaned_data.get("window") is not None:
            window = form.cleaned_data["window"]
    return start, end, window


def _group_rows(schedule, merges_only: bool):
    groups = schedule.merges if merges_only else schedule.groups
    plan_ids = [p.id for g in groups for p in g.plans]
    plans = InspectionPlan.objects.select_related("body", "target").in_bulk(plan_ids)
    out = []
    for g in groups:
        members = [plans[p.id] for p in g.plans if p.id in plans]
        if not members:
            continue
        lead = next((m.body for m in members if m.body_id == g.lead()), members[0].body)
        out.append({"group": g, "plans": members, "target": members[0].target, "lead": lead,
                    "ids": ",".join(str(m.pk) for m in members)})
    return out


@login_required
def proposals(request):
    _staff(request)
    start, end, window = _period(request)
    body = request.user.body
    body_ids = None if body is None or body.sees_everything else [body.pk]
    schedule = services.merge_proposals(period_from=start, period_until=end, window_days=window, body_ids=body_ids)
    rows = _group_rows(schedule, merges_only=True)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "linkage/proposals.html", {"page": page, "schedule": schedule, "start": start,
                                                      "end": end, "window": window})


@login_required
@require_POST
def combine(request):
    _staff(request)
    ids = [int(x) for x in request.POST.get("plans", "").split(",") if x.strip().isdigit()]
    plans = list(InspectionPlan.objects.visible_to(request.user).filter(pk__in=ids))
    lead = None
    if request.POST.get("lead_body", "").isdigit():
        lead = get_object_or_404(Body, pk=int(request.POST["lead_body"]))
    try:
        p = services.do_combine(plans, actor=request.user, lead_body=lead,
                                window_days=int(request.POST.get("window") or conf.merge_window_days()))
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("linkage:proposals")
    messages.success(request, _("已合并为综合查一次，检查码 %(c)s。") % {"c": format_inspection_code(p.record.code)})
    return redirect("workflow:detail", route=flows.COMBINED_FLOW.route, pk=p.pk)


@login_required
def planner_page(request):
    _staff(request)
    start, end, window = _period(request)
    schedule = services.merge_proposals(period_from=start, period_until=end, window_days=window)
    rows = _group_rows(schedule, merges_only=False)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    combined = (wf.visible_of_kind(request.user, flows.COMBINED)
                .select_related("linkage_combinedinspection__target", "linkage_combinedinspection__lead_body")
                .order_by("-created_at")[:20])
    return render(request, "linkage/planner.html", {"schedule": schedule, "summary": schedule.summary(),
                                                    "page": page, "start": start, "end": end, "window": window,
                                                    "combined": combined})


def inspection_code(request):
    """Public (no login): what an inspection code stands for."""
    code = request.GET.get("code", "").strip()
    info = selectors.public_inspection(code) if code else None
    return render(request, "linkage/inspection_code.html", {"code": code, "info": info})


# ----- criminal referrals -----------------------------------------------------------------


@login_required
def referral_list(request):
    _staff(request)
    qs = selectors.referral_rows(request.user)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "linkage/referral_list.html", {"page": page, "rows": _rows(page),
                                                          "flow": flows.REFERRAL_FLOW,
                                                          "can_oversee": selectors.can_oversee(request.user)})


@login_required
def referral_new(request):
    _staff(request)
    form = forms.ReferralForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            p = services.do_create_referral(actor=request.user, **form.cleaned_data)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已创建移送 %(n)s，请上传移送材料并提交移送报告。") % {"n": p.number})
            return redirect("linkage:referral-detail", pk=p.pk)
    return render(request, "linkage/referral_new.html", {"form": form})


@login_required
def referral_detail(request, pk: int):
    p = _process_or_404(request.user, flows.REFERRAL, pk)
    can_add = p.state in ("drafting", "approved") and p.initiator_body_id == request.user.body_id
    return render(request, "linkage/referral_detail.html", {
        "process": p, "ref": p.record, "materials": services.referral_materials(p),
        "missing": [MaterialKind(k).label for k in services.missing_materials(p)],
        "deadlines": wf.deadline_rows(p), "timeline": wf.timeline(p), "form": forms.MaterialForm() if can_add else None,
    })


@login_required
@require_POST
def referral_material(request, pk: int):
    p = _process_or_404(request.user, flows.REFERRAL, pk)
    form = forms.MaterialForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请选择材料类型并上传文件。"))
    else:
        try:
            services.do_add_material(p, actor=request.user, kind=form.cleaned_data["kind"],
                                     file=form.cleaned_data["file"])
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已添加材料。"))
    return redirect("linkage:referral-detail", pk=p.pk)


@login_required
def oversight(request):
    """The procuratorate's (and guidance office's) read-only view of every referral and its timeliness."""
    if not selectors.can_oversee(request.user):
        raise PermissionDenied
    qs = selectors.referral_rows(request.user)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = [{"process": p, "ref": p.linkage_criminalreferral, "deadlines": [
        {"d": d, "label": flows.REFERRAL_FLOW.deadline_label(d.name),
         "status": ("met" if d.met_on_time else "late") if d.stopped_at else ("overdue" if d.due_at < now else "open")}
        for d in p.all_deadlines]} for p in page.object_list]
    return render(request, "linkage/oversight.html", {"page": page, "rows": rows,
                                                      "stats": selectors.referral_timeliness(request.user, now=now)})


# ----- court and police support -----------------------------------------------------------


def _is_township_user(user) -> bool:
    return bool(user.body_id) and user.body.kind in TOWNSHIP_BOUND_KINDS


@login_required
def court(request):
    _staff(request)
    state = request.GET.get("state") or None
    page = Paginator(selectors.execution_rows(request.user, state=state), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "linkage/court.html", {"page": page, "rows": _rows(page), "flow": flows.EXECUTION_FLOW,
                                                  "state": state, "can_apply": _is_township_user(request.user)})


@login_required
def court_new(request):
    if not _is_township_user(request.user):
        raise PermissionDenied
    form = forms.ExecutionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            p = services.do_apply_execution(actor=request.user, **form.cleaned_data)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("workflow:detail", route=flows.EXECUTION_FLOW.route, pk=p.pk)
    return render(request, "linkage/form.html", {"form": form, "title": _("申请法院强制执行")})


@login_required
def police_support_list(request):
    _staff(request)
    qs = selectors.police_support_rows(request.user)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"process": p, "rec": p.linkage_policesupportrequest,
             "response_min": selectors.minutes_between(p.created_at, p.answered_at),
             "arrival_min": selectors.minutes_between(p.created_at, p.arrived_at)} for p in page.object_list]
    return render(request, "linkage/police_support.html", {"page": page, "rows": rows,
                                                           "summary": selectors.response_summary(request.user),
                                                           "flow": flows.POLICE_SUPPORT_FLOW})


@login_required
def police_support_new(request):
    _staff(request)
    form = forms.PoliceSupportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            p = services.do_request_police_support(actor=request.user, **form.cleaned_data)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("workflow:detail", route=flows.POLICE_SUPPORT_FLOW.route, pk=p.pk)
    return render(request, "linkage/form.html", {"form": form, "title": _("申请警力支援")})
