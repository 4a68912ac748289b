"""Staff pages: catalogs and versions, matters with discretion benchmarks, a
township's power list on a date (and its .xlsx export), the who-handles page
and published empowerment decisions. Reads go through selectors; catalogs,
matters, power lists and decisions are public to all staff."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from oneteam.core.errors import InvalidInput, ServiceError
from oneteam.core.inputs import parse_date
from oneteam.org.models import Body, Township

from . import selectors, services
from .choices import DecisionKind, MatterKind
from .io import xlsx_bytes
from .models import Catalog, CatalogVersion, CompetenceRule, Empowerment, EmpowermentDecision, Matter, MatterEntry
from .resolver import CompetenceError, who_handles

PAGE_SIZE = 30


def _date(request, name: str = "date") -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get(name, ""))
    except ValueError:
        return timezone.localdate()


@login_required
def index(request):
    return redirect("catalog:matter-list")


@login_required
def catalog_list(request):
    catalogs = Catalog.objects.visible_to(request.user).prefetch_related(
        Prefetch("versions", queryset=CatalogVersion.objects.annotate(entry_count=Count("entries"))
                 .select_related("imported_by").order_by("-effective_from")))
    today = timezone.localdate()
    in_force = {v.pk for v in selectors.versions_in_force(today)}
    return render(request, "catalog/catalog_list.html", {"catalogs": catalogs, "in_force": in_force, "today": today})


@login_required
def matter_list(request):
    on = _date(request)
    version = None
    if request.GET.get("version", "").isdigit():
        version = get_object_or_404(CatalogVersion.objects.visible_to(request.user).select_related("catalog"),
                                    pk=request.GET["version"])
        qs = (MatterEntry.objects.visible_to(request.user).filter(version=version)
              .select_related("version__catalog", "matter", "department").order_by("matter__code"))
    else:
        qs = selectors.entries_in_force(request.user, on)
    q, field, catalog, kind = (request.GET.get(k, "").strip() for k in ("q", "field", "catalog", "kind"))
    qs = selectors.search_entries(qs, q=q, field=field, catalog=catalog, kind=kind)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "catalog/matter_list.html", {
        "page": page, "on": on, "q": q, "field": field, "catalog": catalog, "kind": kind, "version": version,
        "fields": selectors.fields_in_force(on), "catalogs": Catalog.objects.visible_to(request.user),
        "kinds": MatterKind.choices, "querystring": params.urlencode(),
    })


@login_required
def matter_detail(request, code: str):
    matter = get_object_or_404(Matter.objects.visible_to(request.user), code=code)
    on = _date(request)
    history = selectors.matter_history(matter)
    entry = None
    if request.GET.get("version", "").isdigit():
        entry = next((e for e in history if e.version_id == int(request.GET["version"])), None)
    if entry is None:
        entry = selectors.entry_for(matter, on)
    empowerments = (Empowerment.objects.visible_to(request.user).filter(matter=matter)
                    .select_related("township", "granted_by", "withdrawn_by").order_by("township__code",
                                                                                        "effective_from"))
    return render(request, "catalog/matter_detail.html", {
        "matter": matter, "entry": entry, "on": on, "history": history, "empowerments": empowerments,
        "townships": Township.objects.order_by("code"),
    })


@login_required
def power_list(request, township: str | None = None):
    on = _date(request)
    township = township or request.GET.get("township")
    townships = Township.objects.order_by("code")
    found = selectors.find_township(township) if township else None
    if township and found is None:
        raise Http404
    items = selectors.power_list(found, on) if found else []
    decisions = selectors.decisions_for(request.user, found)[:20] if found else []
    return render(request, "catalog/power_list.html", {
        "township": found, "townships": townships, "on": on, "items": items, "decisions": decisions,
        "mode": found.mode_on(on) if found else None,
    })


POWER_LIST_HEADERS = [_l("序号"), _l("事项编码"), _l("事项名称"), _l("事项类型"), _l("执法领域"), _l("所属目录"),
                      _l("法律依据"), _l("原业务主管部门"), _l("划转范围"), _l("职责边界"), _l("赋权决定"),
                      _l("赋权生效日期")]


@login_required
def power_list_export(request, township: str):
    on = _date(request)
    found = selectors.find_township(township)
    if found is None:
        raise Http404
    rows = [[i, it.entry.matter.code, it.entry.name, it.entry.get_kind_display(), it.entry.field,
             it.entry.version.catalog.name, it.entry.legal_basis, it.entry.department.name,
             it.entry.get_transfer_scope_display(), it.entry.boundary, it.empowerment.granted_by.decision_no,
             it.empowerment.effective_from]
            for i, it in enumerate(selectors.power_list(found, on), start=1)]
    data = xlsx_bytes([str(h) for h in POWER_LIST_HEADERS], rows, title=_("%(t)s权力清单") % {"t": found.name},
                      widths=[6, 15, 44, 8, 10, 30, 40, 24, 8, 36, 24, 12])
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    filename = f"power-list-{found.code}-{on.isoformat()}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def who_handles_page(request):
    on = _date(request)
    matter = request.GET.get("matter", "").strip()
    township = request.GET.get("township", "").strip()
    point = request.GET.get("point", "").strip()
    answer = error = None
    asked = bool(matter or township or point)
    if asked:
        try:
            answer = who_handles(matter.split(" ")[0], township=township or None, point=point or None, on=on)
        except CompetenceError as exc:
            error = exc.message
    context = {"answer": answer, "error": error, "asked": asked, "matter": matter, "township": township,
               "point": point, "on": on}
    if request.htmx:
        return render(request, "catalog/partials/who_handles_answer.html", context)
    context.update({
        "matters": selectors.entries_in_force(request.user, timezone.localdate()).only(
            "name", "matter__code", "version__catalog__order", "version__id", "department__id"),
        "townships": Township.objects.order_by("code"),
    })
    return render(request, "catalog/who_handles.html", context)


@login_required
def empowerment_list(request):
    kind = request.GET.get("kind", "")
    qs = selectors.decisions_for(request.user).annotate(
        granted_count=Count("granted", distinct=True), withdrawn_count=Count("withdrawn", distinct=True),
    ).order_by("-effective_from", "-pk")
    if kind in DecisionKind.values:
        qs = qs.filter(kind=kind)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "catalog/empowerment_list.html", {
        "page": page, "kind": kind, "kinds": DecisionKind.choices, "requests": _requests_for(request.user),
    })


def _requests_for(user):
    """Empowerment requests on the workflow kernel, if the flow is installed."""
    try:
        from .models import EmpowermentRequest  # present once the kernel flow is declared
    except ImportError:
        return None
    return (EmpowermentRequest.objects.visible_to(user).select_related("process", "township")
            .order_by("-process__pk")[:50])


@login_required
def empowerment_detail(request, pk: int):
    decision = get_object_or_404(selectors.decisions_for(request.user), pk=pk)
    rows = (decision.granted if decision.kind == DecisionKind.GRANT else decision.withdrawn).select_related(
        "matter", "withdrawn_by", "granted_by").order_by("matter__code")
    req = getattr(decision, "request", None) if hasattr(decision, "request") else None
    return render(request, "catalog/empowerment_detail.html", {"decision": decision, "rows": rows,
                                                                "process_url": req.get_absolute_url() if req else None,
                                                                "related": EmpowermentDecision.objects.filter(
                                                                    township=decision.township).exclude(
                                                                    pk=decision.pk)[:10]})


@login_required
def empowerment_propose(request):
    """Propose matters for empowerment (or their withdrawal) for a township:
    starts the approval flow and goes to the kernel's page for it."""
    user = request.user
    body = user.body
    own = body.township if body is not None and body.township_id else None
    townships = [own] if own else list(Township.objects.visible_to(user).order_by("code"))
    code = request.POST.get("township") or request.GET.get("township") or (own.code if own else "")
    township = next((t for t in townships if t.code == code), townships[0] if townships else None)
    kind = request.POST.get("kind") or request.GET.get("kind") or DecisionKind.GRANT
    on = timezone.localdate()
    if kind == DecisionKind.WITHDRAW and township is not None:
        candidates = [i.entry for i in selectors.power_list(township, on)]
    else:
        candidates = list(selectors.entries_in_force(user, on).filter(version__catalog__township_selectable=True))
    error = None
    if request.method == "POST" and township is not None:
        matters = list(Matter.objects.filter(code__in=request.POST.getlist("matters")))
        try:
            process = services.do_propose_empowerment(township, matters, actor=user, kind=kind,
                                                      note=request.POST.get("note", ""))
        except ServiceError as exc:
            error = exc.message
        else:
            messages.success(request, _("已提交赋权申请 %(n)s。") % {"n": process.number})
            return redirect(process.get_absolute_url())
    return render(request, "catalog/empowerment_propose.html", {
        "townships": townships, "township": township, "kind": kind, "kinds": DecisionKind.choices,
        "candidates": candidates, "error": error, "selected": set(request.POST.getlist("matters")),
    })


def _required_date(request, name: str) -> dt.date:
    day = parse_date(request.POST.get(name))
    if day is None:
        raise InvalidInput(_("请填写日期。"), code="date_required")
    return day


def _record_rule(request) -> CompetenceRule:
    code = request.POST.get("matter", "").strip()
    matter = Matter.objects.filter(code=code).first()
    if matter is None:
        raise InvalidInput(_("未找到事项编码：%(c)s") % {"c": code or _("（空）")}, code="unknown_matter")
    body = Body.objects.filter(pk=request.POST.get("body") or 0, is_active=True).first()
    if body is None:
        raise InvalidInput(_("请选择承办单位。"), code="body_required")
    township = None
    if request.POST.get("township"):
        township = Township.objects.filter(pk=request.POST["township"]).first()
        if township is None:
            raise InvalidInput(_("未知的乡镇(街道)：%(t)s") % {"t": request.POST["township"]}, code="unknown_township")
    return services.do_record_competence_rule(
        matter, actor=request.user, body=body, township=township,
        valid_from=_required_date(request, "valid_from"), valid_until=parse_date(request.POST.get("valid_until")),
        source=request.POST.get("source", ""), reason=request.POST.get("reason", ""))


@login_required
def rule_list(request):
    """Competence overrides (管辖特别规则): every rule, in force, ended or to
    come, with what it overrides; rule keepers record a rule or end one here
    (the same services the leading group's rulings use)."""
    today = timezone.localdate()
    keeper = services.can_keep_rules(request.user)
    error = None
    if request.method == "POST":
        try:
            services.require_rule_keeper(request.user)
            if request.POST.get("action") == "end":
                rule = get_object_or_404(CompetenceRule, pk=request.POST.get("rule") or 0)
                services.do_end_competence_rule(rule, actor=request.user, reason=request.POST.get("reason", ""),
                                                last_day=_required_date(request, "last_day"))
                messages.success(request, _("已终止：%(r)s") % {"r": rule})
            else:
                rule = _record_rule(request)
                messages.success(request, _("已登记：%(r)s") % {"r": rule})
        except ServiceError as exc:
            error = exc.message
        else:
            return redirect("catalog:rule-list")
    code = request.GET.get("matter", "").strip()
    rules = (CompetenceRule.objects.visible_to(request.user)
             .select_related("matter", "township", "body", "recorded_by").order_by("-valid_from", "-pk"))
    if code:
        rules = rules.filter(matter__code=code)
    page = Paginator(rules, PAGE_SIZE).get_page(request.GET.get("page"))
    for rule in page:
        rule.in_force = rule.valid_from <= today and (rule.valid_until is None or rule.valid_until >= today)
        rule.upcoming = rule.valid_from > today
    return render(request, "catalog/rule_list.html", {
        "page": page, "matter": code, "keeper": keeper, "error": error, "today": today, "posted": request.POST,
        "townships": Township.objects.order_by("code") if keeper else [],
        "bodies": Body.objects.filter(is_active=True).order_by("kind", "code") if keeper else [],
    })

