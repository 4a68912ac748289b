"""The metrics page (M3.5): per unit, for a date range and a flow kind, the
rates with their raw counts, each number a link to the processes behind it;
export to .xlsx. Reads only through :mod:`oneteam.oversight.selectors`."""

from __future__ import annotations

from io import BytesIO
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from oneteam.core.errors import InvalidInput
from oneteam.workflow.declare import get_flow

from . import conf, selectors
from .models import COUNTER_LABELS, COUNTERS

COLUMNS = (*COUNTERS, conf.OVERDUE)
PAGE_SIZE = 50


def _kinds() -> list[tuple[str, str]]:
    from oneteam.workflow.declare import all_flows

    return [(f.kind, str(f.label)) for f in all_flows()]


def _filters(request) -> selectors.Filters:
    try:
        return selectors.Filters.from_params(request.GET)
    except InvalidInput:
        return selectors.Filters.from_params({})


@login_required
def metrics(request):
    filters = _filters(request)
    data = selectors.metrics(request.user, filters)
    if request.GET.get("export") == "xlsx":
        return _xlsx(data)
    base = filters.as_params()
    drill = reverse("oversight:drill")

    def link(metric: str, unit_id) -> str:
        params = {**base, "metric": metric}
        if unit_id is not None:
            params["unit"] = unit_id
        return f"{drill}?{urlencode(params)}"

    def cells(counts: dict, unit_id) -> list[dict]:
        return [{"name": c, "value": counts[c], "url": link(c, unit_id)} for c in COLUMNS]

    rows = [{"id": r["id"], "name": r["name"], "cells": cells(r["counts"], r["id"]),
             "rates": [{**x, "url": link(x["drill"], r["id"])} for x in r["rates"]]} for r in data["rows"]]
    totals = {"cells": cells(data["totals"]["counts"], None),
              "rates": [{**x, "url": link(x["drill"], None)} for x in data["totals"]["rates"]]}
    return render(request, "oversight/metrics.html", {
        "filters": filters, "rates": data["rates"], "rows": rows, "totals": totals,
        "columns": [(c, COUNTER_LABELS[c]) for c in COLUMNS], "kinds": _kinds(),
        "export_url": f"?{urlencode({**base, 'export': 'xlsx'})}",
    })


@login_required
def drill(request):
    filters = _filters(request)
    metric = request.GET.get("metric", "")
    if metric not in selectors.DRILLABLE:
        raise Http404
    unit = request.GET.get("unit")
    try:
        unit_id = int(unit) if unit not in (None, "") else None
    except ValueError:
        raise Http404 from None
    qs = selectors.drill_down(request.user, filters, metric=metric, unit_id=unit_id)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    routes = {}
    rows = []
    for p in page.object_list:
        if p.kind not in routes:
            routes[p.kind] = get_flow(p.kind).route
        rows.append({"process": p, "url": reverse("workflow:detail", kwargs={"route": routes[p.kind], "pk": p.pk})})
    params = {**filters.as_params(), "metric": metric, **({"unit": unit_id} if unit_id is not None else {})}
    return render(request, "oversight/drill.html", {
        "filters": filters, "metric_label": COUNTER_LABELS[metric],
        "unit_name": selectors.unit_name(filters.group, unit_id), "page": page, "rows": rows,
        "query": urlencode(params), "back": f"{reverse('oversight:metrics')}?{urlencode(filters.as_params())}",
    })


def _xlsx(data: dict) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    filters = data["filters"]
    wb = Workbook()
    ws = wb.active
    ws.title = _("效能指标")
    ws.append([_("效能指标"), f"{filters.kind}", f"{filters.date_from} — {filters.date_to}",
               _("生成于 %(t)s") % {"t": timezone.localtime().strftime("%Y-%m-%d %H:%M")}])
    header = [_("承办单位") if filters.group == "body" else _("乡镇(街道)")]
    header += [str(COUNTER_LABELS[c]) for c in COLUMNS]
    header += [f"{r.label}（{r.formula}）" for r in data["rates"]]
    ws.append(header)
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for r in [*data["rows"], {"name": _("合计"), **data["totals"]}]:
        ws.append([r["name"], *[r["counts"][c] for c in COLUMNS], *[x["value"] for x in r["rates"]]])
    first_rate = 2 + len(COLUMNS)
    for row in ws.iter_rows(min_row=3, min_col=first_rate, max_col=first_rate + len(data["rates"]) - 1):
        for cell in row:
            cell.number_format = "0.00%"
    ws.freeze_panes = "B3"
    out = BytesIO()
    wb.save(out)
    resp = HttpResponse(out.getvalue(),
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    name = f"metrics-{filters.kind}-{filters.date_from}-{filters.date_to}.xlsx"
    resp["Content-Disposition"] = f'attachment; filename="{name}"'
    return resp
