"""Catalog API: catalogs and matters (public to all staff), a township's power
list on a date, the competence resolver, and published empowerment decisions."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Prefetch
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from oneteam.core.api.pagination import Pagination
from oneteam.core.api.viewsets import ScopedReadOnlyViewSet
from oneteam.core.errors import InvalidInput
from oneteam.core.inputs import parse_date

from .. import selectors, services
from ..models import Catalog, CatalogVersion, Empowerment, EmpowermentDecision, Matter
from ..resolver import who_handles
from . import serializers as s

DATE = OpenApiParameter("date", str, description=_l("日期 YYYY-MM-DD，默认今天"))


def date_param(request) -> dt.date:
    return parse_date(request.query_params.get("date"), default=timezone.localdate())


class CatalogViewSet(ScopedReadOnlyViewSet):
    """The catalogs with every version (old versions stay readable)."""

    serializer_class = s.CatalogSerializer
    pagination_class = None
    queryset = Catalog.objects.prefetch_related(
        Prefetch("versions", queryset=CatalogVersion.objects.annotate(entry_count=Count("entries"))
                 .order_by("-effective_from"))
    )
    lookup_field = "code"


@extend_schema(parameters=[
    DATE,
    OpenApiParameter("q", str, description=_l("事项编码前缀或名称关键字")),
    OpenApiParameter("field", str, description=_l("执法领域")),
    OpenApiParameter("catalog", str, description=_l("目录代码")),
    OpenApiParameter("kind", str, description=_l("事项类型")),
])
class MatterViewSet(viewsets.ViewSet):
    """Matters listed in the catalogs in force on ``date`` (one row per catalog entry)."""

    lookup_field = "code"
    lookup_value_regex = r"[0-9]{12}"

    @extend_schema(responses=s.MatterEntrySerializer(many=True))
    def list(self, request):
        on = date_param(request)
        qs = selectors.search_entries(
            selectors.entries_in_force(request.user, on), q=request.query_params.get("q", ""),
            field=request.query_params.get("field", ""), catalog=request.query_params.get("catalog", ""),
            kind=request.query_params.get("kind", ""),
        )
        paginator = Pagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(s.MatterEntrySerializer(page, many=True).data)

    @extend_schema(responses=s.MatterDetailSerializer)
    def retrieve(self, request, code=None):
        on = date_param(request)
        matter = selectors.find_matter(code)
        entry = selectors.entry_for(matter, on) if matter else None
        if entry is None:
            raise Http404
        return Response(s.MatterDetailSerializer(entry).data)


class PowerListView(APIView):
    """A township's power list on ``date``: matters empowered to it and in force that day."""

    @extend_schema(parameters=[DATE], responses=s.PowerListItemSerializer(many=True))
    def get(self, request, township: str):
        on = date_param(request)
        found = selectors.find_township(township)
        if found is None:
            raise Http404
        items = selectors.power_list(found, on)
        return Response({"township": found.name, "township_code": found.code, "date": on.isoformat(),
                         "count": len(items), "results": s.PowerListItemSerializer(items, many=True).data})


class WhoHandlesView(APIView):
    """Who handles ``matter`` at ``township`` (name or code) or ``point`` ("lng,lat") on ``date``, and why."""

    @extend_schema(parameters=[
        OpenApiParameter("matter", str, required=True, description=_l("事项编码")),
        OpenApiParameter("township", str, description=_l("乡镇(街道)名称或代码")),
        OpenApiParameter("point", str, description=_l("WGS84 坐标“经度,纬度”")),
        DATE,
    ], responses=s.WhoHandlesSerializer)
    def get(self, request):
        on = date_param(request)
        params = request.query_params
        answer = who_handles(params.get("matter", ""), township=params.get("township") or None,
                             point=params.get("point") or None, on=on)
        return Response(answer.as_dict())


class EmpowermentDecisionViewSet(ScopedReadOnlyViewSet):
    """Published empowerment and withdrawal decisions."""

    serializer_class = s.EmpowermentDecisionSerializer
    queryset = EmpowermentDecision.objects.select_related("township", "mode_decision").prefetch_related(
        Prefetch("granted", queryset=Empowerment.objects.select_related("matter")),
        Prefetch("withdrawn", queryset=Empowerment.objects.select_related("matter")),
    ).order_by("-effective_from", "-pk")
    filterset_fields = ["kind", "township"]


class ProposalView(APIView):
    """Propose matters for empowerment (or withdrawal): starts the approval flow
    (``POST``). Its steps are then taken on ``/api/v1/empowerment-requests/{id}/<action>/``."""

    @extend_schema(request=s.ProposalSerializer, responses={201: s.ProposalResultSerializer})
    def post(self, request):
        serializer = s.ProposalSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        township = selectors.find_township(data["township"])
        if township is None:
            raise InvalidInput(_("未知的乡镇(街道)：%(t)s") % {"t": data["township"]}, code="unknown_township")
        matters = list(Matter.objects.filter(code__in=data["matters"]))
        unknown = sorted(set(data["matters"]) - {m.code for m in matters})
        if unknown:
            raise InvalidInput(_("未知的执法事项编码：%(c)s") % {"c": "、".join(unknown)}, code="unknown_matter")
        process = services.do_propose_empowerment(township, matters, actor=request.user, kind=data["kind"],
                                                  note=data["note"])
        return Response({"id": process.pk, "number": process.number, "state": process.state,
                         "url": process.get_absolute_url()}, status=201)
