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
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from oneteam.core.errors import InvalidInput
from oneteam.core.paging import Counted
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
    drill = f"{reverse('oversight:drill')}?{urlencode(filters.as_params())}"
    prefix = f"{drill}&amp;metric="
    body = "".join(_row_html(prefix, r["id"], escape(r["name"]), r["counts"], r["rates"], "td")
                   for r in data["rows"])
    foot = _row_html(prefix, None, escape(_("合计")), data["totals"]["counts"], data["totals"]["rates"], "td")
    # Names are escaped above; the rest is numbers and our own URLs.
    return render(request, "oversight/metrics.html", {
        "filters": filters, "rates": data["rates"], "rows": data["rows"], "body": mark_safe(body),
        "foot": mark_safe(foot), "chart": _chart(drill, data),
        "columns": [(c, COUNTER_LABELS[c]) for c in COLUMNS], "kinds": _kinds(),
        "export_url": f"?{urlencode({**filters.as_params(), 'export': 'xlsx'})}",
    })


def _chart(drill: str, data: dict) -> dict:
    """The rate chart's data (``oversight/metrics.js``): every rate's value,
    numerator and denominator per unit and in all, and where a bar leads (the
    same drill-down as the table's numbers)."""
    return {
        "rates": [{"name": r.name, "label": str(r.label), "drill": r.drill} for r in data["rates"]],
        "units": [{"id": r["id"], "name": r["name"], "rates": [[x["value"], x["num"], x["den"]] for x in r["rates"]]}
                  for r in data["rows"]],
        "total": [[x["value"], x["num"], x["den"]] for x in data["totals"]["rates"]],
        "drill": drill,
    }


def _pct(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _row_html(prefix: str, unit_id, name: str, counts: dict, rates: list[dict], cell: str) -> str:
    """One table row, built in Python: a year of 100+ units × 20 linked
    numbers is thousands of cells, which the template engine renders ten
    times slower than string formatting."""
    unit = "" if unit_id is None else f"&amp;unit={unit_id}"
    parts = [f'<tr><th scope="row">{name}</th>']
    for x in rates:
        parts.append(f'<{cell}><a href="{prefix}{x["drill"]}{unit}">{_pct(x["value"])}</a> '
                     f'<span class="small muted">{x["num"]}/{x["den"]}</span></{cell}>')
    for c in COLUMNS:
        parts.append(f'<{cell}><a href="{prefix}{c}{unit}">{counts[c]}</a></{cell}>')
    parts.append("</tr>")
    return "".join(parts)


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
    found = selectors.drill_down(request.user, filters, metric=metric, unit_id=unit_id)
    page = Paginator(Counted(found.processes, found.count), PAGE_SIZE).get_page(request.GET.get("page"))
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
