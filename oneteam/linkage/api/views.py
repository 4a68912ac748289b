"""The linkage API. Reading and acting on the five flows is the kernel's
generated API (``/api/v1/<route>/``); the endpoints here start processes with
the mechanism's checks, handle referral materials, inspection plans, the
planner, the oversight figures, the penalty check and the public
inspection-code lookup. Writes go through services, reads through ``visible_to``."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, parsers, status, viewsets
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from oneteam.catalog.models import Matter
from oneteam.core.errors import InvalidInput
from oneteam.workflow.models import Process

from .. import flows, selectors, services
from ..models import InspectionPlan, InspectionTarget
from . import serializers as s


def _created(p: Process) -> Response:
    return Response({"id": p.pk, "number": p.number, "state": p.state,
                     "url": f"/api/v1/{p.flow.route}/{p.pk}/"}, status=status.HTTP_201_CREATED)


def _body_or_403(request):
    if not request.user.body_id:
        raise PermissionDenied()


class JointOperationStart(APIView):
    @extend_schema(request=s.JointOperationInput, responses={201: s.CreatedSerializer}, tags=["联合执法"],
                   summary=_l("制定联合执法方案（可立即发起）"))
    def post(self, request):
        _body_or_403(request)
        data = s.JointOperationInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        p = services.do_plan_joint_operation(
            actor=request.user, title=v["title"], targets=v["targets"], place=v["place"], starts_on=v["starts_on"],
            ends_on=v["ends_on"], plan=v["plan"], lead_body=v.get("lead_body"), launch=v["launch"],
            participants=[services.Participant(x["body"], x["duties"], x["forces"]) for x in v["participants"]])
        return _created(p)


class TargetViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Inspection targets (market entities by credit code, or places)."""

    serializer_class = s.TargetSerializer
    queryset = InspectionTarget.objects.none()

    def get_queryset(self):
        qs = InspectionTarget.objects.visible_to(self.request.user)
        code = self.request.query_params.get("credit_code")
        return qs.filter(credit_code=code.strip().upper()) if code else qs

    @extend_schema(parameters=[OpenApiParameter("credit_code", str)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


class PlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Inspection plans; ``POST`` registers one of the user's body; proposals,
    combine and the planner work on the registered ones."""

    serializer_class = s.PlanSerializer
    queryset = InspectionPlan.objects.none()

    def get_queryset(self):
        qs = selectors.plans_visible(self.request.user).order_by("planned_from", "pk")
        st = self.request.query_params.get("status")
        return qs.filter(status=st) if st else qs

    @extend_schema(parameters=[OpenApiParameter("status", str)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=s.PlanInput, responses={201: s.PlanCreated})
    def create(self, request):
        _body_or_403(request)
        data = s.PlanInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        items = []
        for item in v["items"]:
            matter = None
            if item["matter_code"]:
                matter = Matter.objects.filter(code=item["matter_code"]).first()
                if matter is None:
                    raise InvalidInput(_("未找到事项编码：%(c)s") % {"c": item["matter_code"]},
                                       code="matter_unknown")
            items.append(services.ItemInput(matter=matter, name=item["name"], legal_basis=item["legal_basis"]))
        t = v["target"]
        target = services.do_register_target(actor=request.user, name=t["name"], kind=t["kind"],
                                             credit_code=t["credit_code"], address=t["address"])
        plan = services.do_register_plan(actor=request.user, target=target, title=v["title"],
                                         planned_from=v["planned_from"], planned_until=v.get("planned_until"),
                                         items=items, note=v["note"])
        plan = self.get_queryset().get(pk=plan.pk)
        return Response({"plan": s.PlanSerializer(plan).data, "warnings": selectors.target_warnings(plan.target)},
                        status=status.HTTP_201_CREATED)

    def _schedule(self, request, *, merges_only: bool):
        _body_or_403(request)
        data = s.PeriodInput(data=request.query_params)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        schedule = services.merge_proposals(period_from=v["period_from"], period_until=v["period_until"],
                                            window_days=v.get("window_days"))
        groups = schedule.merges if merges_only else schedule.groups
        return Response({"summary": schedule.summary(), "groups": [
            {"target": g.target, "plans": [p.id for p in g.plans], "bodies": g.bodies, "lead_body": g.lead(),
             "window_from": g.window_from, "window_until": g.window_until, "moved": g.moved} for g in groups]})

    @extend_schema(parameters=[s.PeriodInput], responses=s.ScheduleSerializer)
    @action(detail=False, methods=["get"])
    def proposals(self, request):
        """Merge proposals: groups of two or more registered plans that one visit can serve."""
        return self._schedule(request, merges_only=True)

    @extend_schema(parameters=[s.PeriodInput], responses=s.ScheduleSerializer)
    @action(detail=False, methods=["get"])
    def planner(self, request):
        """The merged schedule of a period: visits before (one per plan) and after (one per group)."""
        return self._schedule(request, merges_only=False)

    @extend_schema(request=s.CombineInput, responses={201: s.CreatedSerializer})
    @action(detail=False, methods=["post"])
    def combine(self, request):
        """Combine plans of one target into a combined inspection (综合查一次) with an inspection code."""
        _body_or_403(request)
        data = s.CombineInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        plans = list(InspectionPlan.objects.visible_to(request.user).filter(pk__in=v["plans"]))
        p = services.do_combine(plans, actor=request.user, lead_body=v.get("lead_body"),
                                window_days=v.get("window_days"))
        response = _created(p)
        response.data["code"] = p.record.code
        return response



@extend_schema(responses=s.PublicInspection, tags=["检查码"], summary=_l("检查码公开查询（无需登录）"),
               parameters=[OpenApiParameter("code", str, location=OpenApiParameter.PATH)])
@api_view(["GET"])
@permission_classes([AllowAny])
def public_inspection(request, code: str):
    info = selectors.public_inspection(code)
    if info is None:
        raise NotFound()
    return Response(info)


class ReferralStart(APIView):
    @extend_schema(request=s.ReferralInput, responses={201: s.CreatedSerializer}, tags=["涉嫌犯罪案件移送"],
                   summary=_l("新建涉嫌犯罪案件移送"))
    def post(self, request):
        _body_or_403(request)
        data = s.ReferralInput(data=request.data)
        data.is_valid(raise_exception=True)
        return _created(services.do_create_referral(actor=request.user, **data.validated_data))


class ReferralMaterials(APIView):
    parser_classes = [parsers.MultiPartParser, parsers.FormParser, parsers.JSONParser]

    def _process(self, request, pk):
        return get_object_or_404(Process.objects.visible_to(request.user).filter(kind=flows.REFERRAL), pk=pk)

    @extend_schema(responses=s.MaterialsSerializer, tags=["涉嫌犯罪案件移送"], summary=_l("移送材料"))
    def get(self, request, pk: int):
        p = self._process(request, pk)
        return Response({"materials": s.MaterialSerializer(services.referral_materials(p), many=True).data,
                         "missing": services.missing_materials(p)})

    @extend_schema(request=s.MaterialInput, responses={201: s.MaterialsSerializer}, tags=["涉嫌犯罪案件移送"],
                   summary=_l("添加移送材料（按类型）"))
    def post(self, request, pk: int):
        p = self._process(request, pk)
        data = s.MaterialInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        file = v.get("file") or v["sha256"]
        services.do_add_material(p, actor=request.user, kind=v["kind"], file=file,
                                 expected_version=v.get("expected_version"))
        return Response({"materials": s.MaterialSerializer(services.referral_materials(p), many=True).data,
                         "missing": services.missing_materials(p)}, status=status.HTTP_201_CREATED)


class ReferralOversight(APIView):
    @extend_schema(tags=["涉嫌犯罪案件移送"], summary=_l("移送时效统计（检察院、指导办）"),
                   responses=s.OversightSerializer)
    def get(self, request):
        if not selectors.can_oversee(request.user):
            raise PermissionDenied()
        return Response(selectors.referral_timeliness(request.user))


class PenaltyCheck(APIView):
    @extend_schema(parameters=[OpenApiParameter("case_number", str, required=True)],
                   responses=s.PenaltyCheckSerializer, tags=["涉嫌犯罪案件移送"],
                   summary=_l("处罚前检查：是否以罚代刑"))
    def get(self, request):
        _body_or_403(request)
        case = request.query_params.get("case_number", "").strip()
        if not case:
            raise InvalidInput(_("请给出 case_number。"), code="case_number_required")
        try:
            services.assert_penalty_allowed(case)
        except InvalidInput as exc:
            return Response({"case_number": case, "allowed": False, "code": exc.code, "message": exc.message})
        return Response({"case_number": case, "allowed": True, "code": "", "message": ""})


class ExecutionStart(APIView):
    @extend_schema(request=s.ExecutionInput, responses={201: s.CreatedSerializer}, tags=["申请法院强制执行"],
                   summary=_l("乡镇(街道)申请法院强制执行"))
    def post(self, request):
        _body_or_403(request)
        data = s.ExecutionInput(data=request.data)
        data.is_valid(raise_exception=True)
        return _created(services.do_apply_execution(actor=request.user, **data.validated_data))


class PoliceSupportStart(APIView):
    @extend_schema(request=s.PoliceSupportInput, responses={201: s.CreatedSerializer}, tags=["警力支援"],
                   summary=_l("申请警力支援"))
    def post(self, request):
        _body_or_403(request)
        data = s.PoliceSupportInput(data=request.data)
        data.is_valid(raise_exception=True)
        return _created(services.do_request_police_support(actor=request.user, **data.validated_data))

