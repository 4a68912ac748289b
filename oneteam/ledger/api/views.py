from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import pagination, permissions, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from oneteam.ledger.access import may_read_ledger
from oneteam.ledger.filtersets import LedgerEntryFilterSet
from oneteam.ledger.selectors import checkpoints_visible_to, entries_visible_to, latest_checkpoint

from .serializers import LedgerCheckpointSerializer, LedgerEntrySerializer


class IsLedgerReader(permissions.BasePermission):
    message = _("只有系统管理员和指导办督查人员可以查看全过程记录。")

    def has_permission(self, request, view) -> bool:
        return may_read_ledger(request.user)


class SeqCursorPagination(pagination.CursorPagination):
    """Keyset pagination on the sequence number: no COUNT over millions of rows,
    and pages stay stable while entries are appended."""

    ordering = "-seq"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


@extend_schema_view(
    list=extend_schema(
        summary=_("全过程记录条目"),
        parameters=[
            OpenApiParameter("object_type", str, description="e.g. org.township"),
            OpenApiParameter("object_id", str, description="e.g. 5"),
        ],
    ),
)
class LedgerEntryViewSet(viewsets.ReadOnlyModelViewSet):
    """Entries of the full-process record, newest first (administrators and supervisors only)."""

    serializer_class = LedgerEntrySerializer
    permission_classes = [permissions.IsAuthenticated, IsLedgerReader]
    filterset_class = LedgerEntryFilterSet
    pagination_class = SeqCursorPagination
    lookup_field = "seq"
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return entries_visible_to(self.request.user)


class LedgerCheckpointViewSet(viewsets.ReadOnlyModelViewSet):
    """Signed checkpoints, newest first. They hold only hashes, so any signed-in user may fetch them."""

    serializer_class = LedgerCheckpointSerializer
    filter_backends: list = []

    def get_queryset(self):
        return checkpoints_visible_to(self.request.user)

    @extend_schema(summary=_("最新检查点（导出格式）"), responses=LedgerCheckpointSerializer)
    @action(detail=False)
    def latest(self, request):
        checkpoint = latest_checkpoint()
        if checkpoint is None:
            raise Http404
        return Response(self.get_serializer(checkpoint).data)
