"""The cooperation API. Transitions of the three flows use the kernel's
generated endpoints (``POST /api/v1/<route>/{id}/<action>/``); this module adds
what a flow declaration cannot: starting a request / transfer / dispute with
the mechanism's checks, the transfer letter, the dispute board and
information sharing. Reads go through ``visible_to``; writes through services."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import FileResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from oneteam.core.errors import InvalidInput, NotPermitted
from oneteam.workflow.api.serializers import ProcessDetailSerializer
from oneteam.workflow.models import Attachment, Party, Process, ProcessDeadline, Transition

from .. import selectors, services
from ..models import SharedItem
from . import serializers as s


def _detail(request, process: Process) -> Response:
    fresh = (Process.objects.filter(pk=process.pk).select_related("township", "initiator_body")
             .prefetch_related(Prefetch("parties", queryset=Party.objects.select_related("body")),
                               Prefetch("transitions", queryset=Transition.objects.order_by("seq")),
                               Prefetch("deadlines", queryset=ProcessDeadline.objects.order_by("started_at", "pk")))
             .get())
    return Response(ProcessDetailSerializer(fresh, context={"request": request}).data, status=status.HTTP_201_CREATED)


def _attachments(shas: list[str], user) -> list[Attachment]:
    out = []
    for sha in shas:
        att = Attachment.objects.filter(blob_id=sha.lower(), uploaded_by=user, process__isnull=True).order_by(
            "-pk").first()
        if att is None:
            raise InvalidInput(_("附件不存在或不是您上传的：%(sha)s") % {"sha": sha[:12]}, code="attachment_unknown")
        out.append(att)
    return out


class CollaborationViewSet(viewsets.GenericViewSet):
    """执法协作申请: start one (transitions: /api/v1/collaboration-requests/{id}/<action>/)."""

    serializer_class = s.CollaborationCreateSerializer

    @extend_schema(request=s.CollaborationCreateSerializer, responses={201: ProcessDetailSerializer})
    def create(self, request):
        payload = self.get_serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        process = services.do_submit_collaboration(request.user, **payload.validated_data)
        return _detail(request, process)

    @extend_schema(responses={200: OpenApiResponse(description=gettext_lazy("各部门签收、答复及按期率"))})
    @action(detail=False, methods=["get"])
    def rates(self, request):
        return Response(services.collaboration_rates())


class TransferViewSet(viewsets.GenericViewSet):
    """案件移送抄告: draft (and optionally send) one; download its letter."""

    serializer_class = s.TransferCreateSerializer
    lookup_value_regex = r"[0-9]+"

    @extend_schema(request=s.TransferCreateSerializer, responses={201: ProcessDetailSerializer})
    def create(self, request):
        payload = self.get_serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        v = dict(payload.validated_data)
        v["evidence"] = _attachments(v["evidence"], request.user)
        process = services.do_create_transfer(request.user, **v)
        return _detail(request, process)

    @extend_schema(parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)],
                   responses={(200, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"):
                              OpenApiResponse(description=gettext_lazy("移送函 .docx"))})
    @action(detail=True, methods=["get"])
    def letter(self, request, pk=None):
        record = selectors.transfer_for_letter(request.user, int(pk))
        if record is None or record.letter_id is None or not record.letter.blob.path.exists():
            raise NotFound()
        response = FileResponse(record.letter.blob.path.open("rb"), as_attachment=True,
                                filename=record.letter.original_name, content_type=services.DOCX)
        response["X-Content-SHA256"] = record.letter.blob_id
        return response


class DisputeViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """执法争议: raise one (an interim responsible body is required); list the open ones with their holders."""

    serializer_class = s.DisputeRowSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return SharedItem.objects.none()
        return selectors.open_disputes(self.request.user)

    @extend_schema(request=s.DisputeCreateSerializer, responses={201: ProcessDetailSerializer})
    def create(self, request):
        payload = s.DisputeCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        process = services.do_raise_dispute(request.user, **payload.validated_data)
        return _detail(request, process)


class SharedItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """信息共享: items visible to the user, searchable by ``q``, ``field``, ``category``, ``matter``, ``unread``."""

    serializer_class = s.SharedItemSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return SharedItem.objects.none()
        p = self.request.query_params
        return selectors.shares(self.request.user, q=p.get("q", "").strip(), field=p.get("field", ""),
                                category=p.get("category", ""), matter=p.get("matter", "").strip(),
                                unread=p.get("unread") in ("1", "true")).prefetch_related("attachments")

    @extend_schema(parameters=[OpenApiParameter(n, str) for n in ("q", "field", "category", "matter")]
                   + [OpenApiParameter("unread", bool)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        item = self.get_object()
        services.do_read_share(item, actor=request.user)
        item.is_read = True
        return Response(self.get_serializer(item).data)

    @extend_schema(request=s.SharedItemCreateSerializer, responses={201: s.SharedItemSerializer})
    def create(self, request):
        payload = s.SharedItemCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        v = dict(payload.validated_data)
        v["attachments"] = _attachments(v["attachments"], request.user)
        item = services.do_publish_share(request.user, **v)
        return Response(s.SharedItemSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=s.ShareReceiptSerializer(many=True))
    @action(detail=True, methods=["get"])
    def receipts(self, request, pk=None):
        item = self.get_object()
        body = request.user.body
        if item.publisher_id != request.user.body_id and not (body is not None and body.sees_everything):
            raise NotPermitted(_("只有发布单位可以查看送达回执。"))
        return Response(s.ShareReceiptSerializer(selectors.receipts(item), many=True).data)
