"""The workflow API: one generated viewset per registered flow
(``/api/v1/<route>/``, ``POST /api/v1/<route>/{id}/<action>/``), plus the
inbox, notifications and attachment upload. Every write goes through
:mod:`oneteam.workflow.services`; every read through ``visible_to``."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, parsers, status, viewsets
from rest_framework.decorators import action as drf_action
from rest_framework.response import Response

from oneteam.core.errors import InvalidInput

from .. import selectors, services
from ..declare import Action, Flow
from ..models import Attachment, Notification, Party, Process, ProcessDeadline, Transition
from . import serializers as s

ORDER_PARAMETER = OpenApiParameter(
    "order", str, enum=list(selectors.ORDERS),
    description=gettext_lazy("排序：due 最紧迫（最早到期的进行中期限在前，无进行中期限的在后）、new 最新发起、"
                             "updated 最近更新；缺省时待办和超期按 due，其余按 new 或 updated"))


class KeysFirstListMixin:
    """A list of processes paged keys first (``core.api.pagination``): the
    count and the sort carry the keys alone, then the page's rows are read by
    key with what a row shows, as on the pages."""

    @staticmethod
    def list_rows(keys: list) -> list[Process]:
        return selectors.list_rows(keys)


class ProcessViewSetBase(KeysFirstListMixin, viewsets.ReadOnlyModelViewSet):
    """Read processes of one flow (``flow`` set by :func:`viewset_for`)."""

    flow: Flow
    serializer_class = s.ProcessListSerializer
    queryset = Process.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Process.objects.none()
        if self.action == "list":
            return selectors.processes_of(
                self.request.user, self.flow.kind, state=self.request.query_params.get("state") or None,
                order=self.request.query_params.get("order") or None,
            )
        return (
            Process.objects.visible_to(self.request.user)
            .filter(kind=self.flow.kind)
            .select_related("township", "initiator_body")
            .prefetch_related(
                Prefetch("parties", queryset=Party.objects.select_related("body")),
                Prefetch(
                    "transitions",
                    queryset=Transition.objects.order_by("seq").prefetch_related(
                        Prefetch("attachments", queryset=Attachment.objects.select_related("blob"))
                    ),
                ),
                Prefetch("deadlines", queryset=ProcessDeadline.objects.order_by("started_at", "pk")),
            )
        )

    def get_serializer_class(self):
        return s.ProcessListSerializer if self.action == "list" else s.ProcessDetailSerializer

    @staticmethod
    def list_keys(queryset):
        return selectors.flow_list_keys(queryset)

    @extend_schema(parameters=[OpenApiParameter("state", str, description=gettext_lazy("按状态筛选")),
                               ORDER_PARAMETER])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def _perform(self, request, declared: Action, pk=None):
        process = self.get_object()
        payload = s.ActionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        v = payload.validated_data
        services.perform(
            process,
            declared,
            actor=request.user,
            reason=v["reason"],
            data=v["data"],
            officers=v["officers"],
            attachments=v["attachments"],
            expected_version=v["expected_version"],
        )
        fresh = self.get_queryset().get(pk=process.pk)
        return Response(s.ProcessDetailSerializer(fresh, context=self.get_serializer_context()).data)


def _action_method(declared: Action):
    def method(self, request, pk=None):
        return self._perform(request, declared, pk=pk)

    method.__name__ = f"do_{declared.name}"
    method.__doc__ = f"{declared.label}（{', '.join(declared.source)} → {declared.target}）"
    method = extend_schema(
        request=s.ActionInputSerializer, responses=s.ProcessDetailSerializer, summary=declared.label
    )(method)
    return drf_action(detail=True, methods=["post"], url_path=declared.url_name, url_name=declared.url_name)(method)


def viewset_for(flow: Flow) -> type[ProcessViewSetBase]:
    """A viewset class for ``flow`` with one POST endpoint per declared action."""
    attrs = {"flow": flow, "__doc__": f"{flow.label}", "__module__": __name__}
    for declared in flow.actions:
        attrs[f"do_{declared.name}"] = _action_method(declared)
    name = "".join(part.capitalize() for part in flow.kind.split("_")) + "ProcessViewSet"
    return extend_schema(tags=[flow.label])(type(name, (ProcessViewSetBase,), attrs))


class InboxViewSet(KeysFirstListMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The current user's inbox: ``tab`` = todo | overdue | copied | initiated."""

    serializer_class = s.ProcessListSerializer
    queryset = Process.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Process.objects.none()
        tab = self.request.query_params.get("tab", "todo")
        if tab not in selectors.INBOX_TABS:
            raise InvalidInput(_("未知的待办分类。"), code="unknown_tab")
        return selectors.inbox(self.request.user, tab, order=self.request.query_params.get("order") or None)

    @extend_schema(parameters=[OpenApiParameter("tab", str, enum=list(selectors.INBOX_TABS)), ORDER_PARAMETER])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = s.NotificationSerializer
    queryset = Notification.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        qs = Notification.objects.filter(user=self.request.user)
        if self.request.query_params.get("unread") in ("1", "true"):
            qs = qs.filter(read_at__isnull=True)
        return qs

    @extend_schema(parameters=[OpenApiParameter("unread", bool)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=s.MarkReadSerializer, responses=s.CountSerializer)
    @drf_action(detail=False, methods=["post"], url_path="read")
    def read(self, request):
        payload = s.MarkReadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return Response({"count": services.do_mark_read(request.user, payload.validated_data["ids"])})

    @extend_schema(responses=s.CountSerializer)
    @drf_action(detail=False, methods=["get"], url_path="unread-count")
    def unread_count(self, request):
        return Response({"count": Notification.objects.filter(user=request.user, read_at__isnull=True).count()})


class AttachmentViewSet(mixins.CreateModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Upload a file (multipart ``file``); the answer's ``sha256`` is then
    passed in an action's ``attachments``."""

    serializer_class = s.AttachmentSerializer
    parser_classes = [parsers.MultiPartParser, parsers.FormParser]
    queryset = Attachment.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Attachment.objects.none()
        return Attachment.objects.visible_to(self.request.user).select_related("blob")

    @extend_schema(request=s.UploadSerializer, responses={201: s.AttachmentSerializer})
    def create(self, request, *args, **kwargs):
        upload = s.UploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        att = services.do_upload(upload.validated_data["file"], actor=request.user)
        att = Attachment.objects.select_related("blob").get(pk=att.pk)
        return Response(s.AttachmentSerializer(att).data, status=status.HTTP_201_CREATED)
