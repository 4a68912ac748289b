"""Generic pages built from flow declarations: inbox, list, detail with
timeline and action forms, state diagram, notifications. Every write goes
through :mod:`oneteam.workflow.services`, exactly as the API does."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from oneteam.core.errors import ServiceError
from oneteam.core.paging import bounded_page, keys_of
from oneteam.org.models import User

from . import diagram, selectors, services
from .declare import CountsAs, Flow, PartyRole, Satisfaction, flow_for_route
from .models import Attachment, Comment, Notification, Process

PAGE_SIZE = 25


def _flow_or_404(route: str) -> Flow:
    flow = flow_for_route(route)
    if flow is None:
        raise Http404
    return flow


def _page(request, keys):
    """A page of a list read keys first (``keys``: ``keys_of`` a list, or
    ``selectors.flow_list_keys``): the sort carries the keys alone, then the
    page's rows are fetched by key with what a row shows
    (``selectors.list_rows``). The list is counted only as far as it can be
    paged from here (:class:`BoundedPaginator`)."""
    page = bounded_page(keys, PAGE_SIZE, request.GET.get("page"))
    page.object_list = selectors.list_rows(list(page.object_list))
    return page


def _rows(page, now):
    return [
        {
            "process": p,
            "deadline": selectors.row_deadline(p, now),
            "assignees": [x.body for x in p.active_parties if x.role == PartyRole.ASSIGNEE],
        }
        for p in page.object_list
    ]


@login_required
def inbox(request):
    tab = request.GET.get("tab", "todo")
    if tab not in selectors.INBOX_TABS:
        tab = "todo"
    now = timezone.now()
    order = selectors.order_of(request.GET.get("order"), selectors.INBOX_ORDER[tab])
    page = _page(request, keys_of(selectors.inbox(request.user, tab, now=now, order=order)))
    return render(
        request,
        "workflow/inbox.html",
        {
            "tab": tab,
            "tabs": selectors.INBOX_TABS.items(),
            "page": page,
            "rows": _rows(page, now),
            **_order_context(request, order),
        },
    )


def _order_context(request, order: str) -> dict:
    """The list's order, a link to each order and the query of this one (the
    other filters kept, back to page 1)."""
    def query(key: str) -> str:
        params = request.GET.copy()
        params["order"] = key
        params.pop("page", None)
        return params.urlencode()

    orders = [{"key": key, "label": label, "url": f"?{query(key)}"} for key, label in selectors.ORDERS.items()]
    return {"order": order, "query": query(order), "orders": orders}


@login_required
def process_list(request, route: str):
    flow = _flow_or_404(route)
    state = request.GET.get("state") or None
    now = timezone.now()
    order = selectors.order_of(request.GET.get("order"), "new")
    page = _page(request, selectors.flow_list_keys(
        selectors.processes_of(request.user, flow.kind, state=state, order=order)))
    return render(
        request,
        "workflow/list.html",
        {
            "flow": flow,
            "state": state,
            "page": page,
            "rows": _rows(page, now),
            **_order_context(request, order),
        },
    )


def _field_specs(action, record_model, process, user) -> list[dict]:
    """The data fields an action's form asks for: required ones first, then
    the optional ones its ``form`` declares; widgets and choices from ``form``."""
    declared = {f.name: f for f in action.form}
    names = list(action.requires.fields) + [n for n in declared if n not in action.requires.fields]
    out = []
    for name in names:
        spec = declared.get(name)
        label = spec.label if spec is not None and spec.label else None
        if label is None and record_model is not None:
            try:
                label = record_model._meta.get_field(name).verbose_name
            except Exception:  # not a record field
                label = None
        out.append({
            "name": name,
            "label": label or name,
            "widget": spec.widget if spec is not None else "text",
            "choices": list(spec.choices(process, user)) if spec is not None and spec.choices else [],
            "required": name in action.requires.fields,
            "help_text": spec.help_text if spec is not None else "",
        })
    return out


def _action_forms(flow: Flow, process: Process, user) -> list[dict]:
    actions = services.available_actions(process, user)
    if not actions:
        return []
    record_model = flow.get_model()
    officers = None
    forms = []
    for a in actions:
        if a.requires.certified_officers and officers is None:
            bodies = [p.body_id for p in process.parties.all() if p.active]
            officers = list(
                User.objects.filter(body_id__in=bodies, is_active=True)
                .select_related("body")
                .order_by("body_id", "username")
            )
        forms.append(
            {
                "action": a,
                "fields": _field_specs(a, record_model, process, user),
                "needs_reason": a.needs_reason,
                "satisfaction": Satisfaction.choices if a.counts_as == CountsAs.SATISFACTION else None,
                "officers": officers if a.requires.certified_officers else None,
            }
        )
    return forms


def _posted_data(request, action) -> dict:
    """Action data from a posted form: ``data_<name>``; checkbox fields are lists."""
    widgets = {f.name: f.widget for f in action.form}
    names = list(action.requires.fields) + [n for n in widgets if n not in action.requires.fields]
    data = {}
    for name in names:
        if widgets.get(name) == "checkboxes":
            data[name] = [v for v in request.POST.getlist(f"data_{name}") if v]
        else:
            value = request.POST.get(f"data_{name}", "").strip()
            if value or name in action.requires.fields:
                data[name] = value
    return data


@login_required
def detail(request, route: str, pk: int):
    flow = _flow_or_404(route)
    process = get_object_or_404(selectors.detail_queryset(request.user).filter(kind=flow.kind), pk=pk)
    parties = list(process.parties.select_related("body").order_by("role", "added_at"))
    process._prefetched_objects_cache = {"parties": parties}
    record = process.record
    record_fields = []
    if record is not None:
        for f in record._meta.concrete_fields:
            if f.name == "process":
                continue
            value = getattr(record, f"get_{f.name}_display")() if f.choices else getattr(record, f.name)
            # A list (e.g. a lead's competence reasons) reads as lines, not as a Python list.
            record_fields.append({"label": f.verbose_name, "value": value,
                                  "lines": [str(v) for v in value] if isinstance(value, list) else None})
    return render(
        request,
        "workflow/detail.html",
        {
            "flow": flow,
            "process": process,
            "parties": parties,
            "record_fields": record_fields,
            "deadlines": selectors.deadline_rows(process),
            "timeline": selectors.timeline(process),
            "comments": Comment.objects.filter(process=process).order_by("created_at"),
            "forms": _action_forms(flow, process, request.user),
            "diagram": mark_safe(diagram.svg(flow, highlight=process.state)),
        },
    )


@login_required
@require_POST
def act(request, route: str, pk: int, action: str):
    flow = _flow_or_404(route)
    process = get_object_or_404(Process.objects.visible_to(request.user).filter(kind=flow.kind), pk=pk)
    try:
        declared = flow.action(action)
    except KeyError:
        raise Http404 from None
    data = _posted_data(request, declared)
    if declared.counts_as == CountsAs.SATISFACTION:
        data["satisfaction"] = request.POST.get("satisfaction", "")
    version = request.POST.get("version")
    try:
        services.perform(
            process,
            declared,
            actor=request.user,
            reason=request.POST.get("reason", ""),
            data=data,
            attachments=request.FILES.getlist("attachments"),
            officers=[int(x) for x in request.POST.getlist("officers") if x.isdigit()],
            expected_version=int(version) if version and version.isdigit() else None,
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已%(action)s。") % {"action": declared.label})
    return redirect("workflow:detail", route=flow.route, pk=process.pk)


@login_required
@require_POST
def comment(request, route: str, pk: int):
    flow = _flow_or_404(route)
    process = get_object_or_404(Process.objects.visible_to(request.user).filter(kind=flow.kind), pk=pk)
    try:
        services.do_comment(process, actor=request.user, text=request.POST.get("text", ""))
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("workflow:detail", route=flow.route, pk=process.pk)


@login_required
def flow_diagram(request, route: str):
    flow = _flow_or_404(route)
    return render(
        request,
        "workflow/diagram.html",
        {
            "flow": flow,
            "diagram": mark_safe(diagram.svg(flow)),
        },
    )


@login_required
def attachment(request, pk: int):
    att = get_object_or_404(Attachment.objects.visible_to(request.user).select_related("blob"), pk=pk)
    path = att.blob.path
    if not path.exists():
        raise Http404
    inline = (
        att.blob.content_type.startswith(("image/", "video/", "audio/")) or att.blob.content_type == "application/pdf"
    )
    response = FileResponse(
        path.open("rb"), as_attachment=not inline, filename=att.original_name, content_type=att.blob.content_type
    )
    response["X-Content-SHA256"] = att.blob_id
    return response


@login_required
def notifications(request):
    qs = Notification.objects.filter(user=request.user).select_related("process")
    page = bounded_page(qs, PAGE_SIZE, request.GET.get("page"))
    return render(request, "workflow/notifications.html", {"page": page})


@login_required
@require_POST
def notifications_read(request):
    ids = request.POST.getlist("id")
    services.do_mark_read(request.user, [int(i) for i in ids if i.isdigit()] if ids else None)
    target = request.POST.get("next") or ""
    if target.startswith("/") and not target.startswith("//"):
        return HttpResponseRedirect(target)
    return redirect("workflow:notifications")
