"""REST intake: ``POST /api/v1/event-reports/`` files a lead for a staff user
(session or token) or an external system (``X-API-Key``). JSON or multipart
(photos). An ``Idempotency-Key`` header makes retries safe: the first call
answers 201, a replay 200 with the same lead. The lead is then read and acted
on through the kernel's ``/api/v1/events/`` (staff only)."""

from __future__ import annotations

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import authentication, parsers, status, viewsets
from rest_framework.response import Response

from oneteam.core.errors import InvalidInput
from oneteam.org.choices import Role

from ..choices import Channel
from ..models import Event
from ..services import Intake, config, report_event
from . import serializers as s
from .authentication import ExternalSystemKeyAuthentication, IsStaffUserOrExternalSystem, external_system

IDEMPOTENCY = OpenApiParameter("Idempotency-Key", str, location=OpenApiParameter.HEADER, required=False,
                               description=gettext_lazy("重试保护：同一来源同一键只生成一个事件（最多100个字符）"))


def result_data(event: Event) -> dict:
    event = (Event.objects.select_related("process__initiator_body", "category", "township", "grid",
                                          "proposed_body")
             .annotate(photo_count=Count("process__attachments")).get(pk=event.pk))
    process = event.process
    room = process.initiator_body
    return {
        "id": process.pk,
        "number": process.number,
        "state": process.state,
        "state_label": str(process.state_label),
        "category": event.category.code,
        "township": event.township.name,
        "grid": event.grid.code if event.grid_id else None,
        "dispatching_body": {"id": room.pk, "name": room.name},
        "proposed_body": {"id": event.proposed_body.pk, "name": event.proposed_body.name}
        if event.proposed_body_id else None,
        "proposal_reasons": [str(r) for r in event.proposal_reasons],
        "duplicates": [{"number": d.candidate.process.number, "distance_m": d.distance_m}
                       for d in event.duplicate_suggestions.select_related("candidate__process")],
        "photos": event.photo_count,
    }


class EventReportViewSet(viewsets.ViewSet):
    """上报事件（网格员、执法人员等登录用户，或持密钥的外部系统）。"""

    authentication_classes = [authentication.TokenAuthentication, authentication.SessionAuthentication,
                              ExternalSystemKeyAuthentication]
    permission_classes = [IsStaffUserOrExternalSystem]
    parser_classes = [parsers.JSONParser, parsers.MultiPartParser, parsers.FormParser]

    @extend_schema(request=s.EventReportSerializer, responses={201: s.EventReportResultSerializer,
                                                               200: s.EventReportResultSerializer},
                   parameters=[IDEMPOTENCY], summary=gettext_lazy("上报事件"), tags=[gettext_lazy("事件")])
    def create(self, request):
        system = external_system(request)
        user = None if system is not None else request.user
        payload = s.EventReportSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        v = payload.validated_data
        photos = request.FILES.getlist("photos") + request.FILES.getlist("photos[]") if request.FILES else []
        max_photos = int(config("INTAKE_MAX_PHOTOS", 9))
        if len(photos) > max_photos:
            raise InvalidInput(_("照片最多%(n)d张。") % {"n": max_photos}, code="too_many_photos")
        channel = v.get("channel") or ""
        if system is not None:
            if channel and channel != system.channel:
                raise InvalidInput(_("外部系统只能以其登记的渠道（%(c)s）上报。") % {
                    "c": Channel(system.channel).label}, code="channel_mismatch")
            channel = system.channel
        elif not channel:
            channel = Channel.GRID_PATROL if user.has_role(Role.GRID_OFFICER) else Channel.STAFF_DISCOVERY
        outcome = v.get("dissuasion_outcome") or ""
        intake = Intake(
            channel=channel, category=v["category"], description=v.get("description", ""),
            lng=v.get("lng"), lat=v.get("lat"), address=v.get("address", ""), township=v.get("township") or None,
            urgency=v.get("urgency"), reporter_name=v.get("reporter_name", ""),
            reporter_phone=v.get("reporter_phone", ""), occurred_at=v.get("occurred_at"),
            idempotency_key=(request.headers.get("Idempotency-Key") or "").strip(),
            external_id=v.get("external_id", ""),
            dissuaded=True if outcome and v.get("dissuaded") is None else v.get("dissuaded"),
            dissuasion_outcome=outcome, attachments=photos,
        )
        result = report_event(intake, actor=user, system=system)
        return Response(result_data(result.event), status=status.HTTP_201_CREATED if result.created else
                        status.HTTP_200_OK)
