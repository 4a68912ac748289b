"""Organisation API: read for all staff within their scope, writes for admins,
every write through :mod:`oneteam.org.services`."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from oneteam.core.api.viewsets import ScopedViewSetMixin
from oneteam.core.inputs import parse_date

from .. import geo, services
from ..choices import Role
from ..models import Body, EnforcementCertificate, Grid, ModeDecision, Township, TrainingRecord, User, Village
from . import serializers as s


class AdminWritePermission(permissions.BasePermission):
    """Everyone authenticated reads (within scope); only admins write master data."""

    message = _("只有系统管理员可以修改基础数据。")

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        return request.user.is_superuser or request.user.has_role(Role.ADMIN)


class MasterDataViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
                        viewsets.ReadOnlyModelViewSet):
    """List/retrieve scoped by ``visible_to``; create/update through ``do_save_master``
    (nothing is deleted: deactivate instead)."""

    permission_classes = [AdminWritePermission]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def perform_create(self, serializer):
        obj = serializer.Meta.model(**_plain(serializer.validated_data))
        serializer.instance = services.do_save_master(obj, actor=self.request.user)
        _set_m2m(serializer)

    def perform_update(self, serializer):
        services.do_save_master(serializer.instance, actor=self.request.user,
                                changes=_plain(serializer.validated_data))
        _set_m2m(serializer)


def _plain(data: dict) -> dict:
    return {k: v for k, v in data.items() if not isinstance(v, list)}


def _set_m2m(serializer) -> None:
    for key, value in serializer.validated_data.items():
        if isinstance(value, list):
            getattr(serializer.instance, key).set(value)


def _date_param(request) -> dt.date:
    return parse_date(request.query_params.get("date"), default=timezone.localdate())


@extend_schema(parameters=[
    OpenApiParameter("date", str, description=gettext_lazy("模式所依据的日期 YYYY-MM-DD，默认今天"))])
class TownshipViewSet(MasterDataViewSet):
    queryset = Township.objects.all().order_by("code")
    serializer_class = s.TownshipSerializer
    filterset_fields = ["kind", "code"]

    def get_serializer_context(self):
        return super().get_serializer_context() | {"on": _date_param(self.request)}

    def get_queryset(self):
        return super().get_queryset().prefetch_related(
            Prefetch("mode_decisions", queryset=ModeDecision.objects.select_related("hub")
                     .order_by("effective_from", "recorded_at"))
        )

    @action(detail=True, methods=["get"], url_path="mode-history")
    def mode_history(self, request, pk=None):
        township = self.get_object()
        decisions = township.mode_decisions.select_related("hub").order_by("effective_from", "recorded_at")
        return Response(s.ModeDecisionSerializer(decisions, many=True).data)


class ModeDecisionViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Mode decisions are recorded, never edited."""

    queryset = ModeDecision.objects.select_related("township", "hub").order_by("township__code", "effective_from")
    serializer_class = s.ModeDecisionSerializer
    permission_classes = [AdminWritePermission]
    filterset_fields = ["township", "mode"]

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.do_record_mode_decision(
            data["township"], actor=self.request.user, mode=data["mode"], hub=data.get("hub"),
            effective_from=data["effective_from"], decision_no=data["decision_no"],
            decision_title=data.get("decision_title", ""), note=data.get("note", ""),
        )


class VillageViewSet(MasterDataViewSet):
    queryset = Village.objects.all().order_by("code")
    serializer_class = s.VillageSerializer
    filterset_fields = ["township", "kind"]


class GridViewSet(MasterDataViewSet):
    queryset = Grid.objects.select_related("village", "chief").prefetch_related("officers").order_by("code")
    serializer_class = s.GridSerializer
    filterset_fields = ["village", "village__township"]


class BodyViewSet(MasterDataViewSet):
    queryset = Body.objects.all().order_by("level", "kind", "code")
    serializer_class = s.BodySerializer
    filterset_fields = ["kind", "level", "township", "parent", "field"]


class PersonViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = User.objects.select_related("body").prefetch_related("roles", "certificates").order_by("username")
    serializer_class = s.PersonSerializer
    filterset_fields = ["body", "body__township"]


class CertificateViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = EnforcementCertificate.objects.select_related("user").order_by("valid_until")
    serializer_class = s.CertificateSerializer
    filterset_fields = ["user"]


class TrainingViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = TrainingRecord.objects.select_related("user")
    serializer_class = s.TrainingSerializer
    filterset_fields = ["user"]


class LocateView(APIView):
    """WGS84 point → grid → village → township."""

    @extend_schema(parameters=[s.LocateSerializer], responses={200: dict})
    def get(self, request):
        params = s.LocateSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        location = geo.locate(params.validated_data["lng"], params.validated_data["lat"])
        if location is None:
            return Response({"code": "outside_grids", "message": _("该位置不在任何网格内（可能在辖区外或海上）。")},
                            status=404)
        return Response(location.__dict__)
