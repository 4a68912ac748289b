"""``GET /api/v1/metrics/?kind=&from=&to=&group=body|township``: the metrics
table as JSON, through the same selector as the page."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import selectors


class MetricsView(APIView):
    @extend_schema(
        summary=_("效能指标（按承办单位或乡镇）"),
        parameters=[
            OpenApiParameter("kind", OpenApiTypes.STR, description=_("流程类型，默认 event")),
            OpenApiParameter("from", OpenApiTypes.DATE, description=_("发起日期起，默认今年1月1日")),
            OpenApiParameter("to", OpenApiTypes.DATE, description=_("发起日期止（含），默认今天")),
            OpenApiParameter("group", OpenApiTypes.STR, enum=list(selectors.GROUPS)),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        filters = selectors.Filters.from_params(request.query_params)
        data = selectors.metrics(request.user, filters)

        def unit(counts, rates):
            return {"counts": counts, "rates": {r["name"]: r["value"] for r in rates}}

        return Response({
            **filters.as_params(),
            "formulas": {r.name: {"label": r.label, "num": list(r.num), "den": list(r.den)} for r in data["rates"]},
            "results": [{"id": r["id"], "name": r["name"], **unit(r["counts"], r["rates"])} for r in data["rows"]],
            "totals": unit(data["totals"]["counts"], data["totals"]["rates"]),
        })
