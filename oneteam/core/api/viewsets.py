"""The API side of the access choke point."""

from __future__ import annotations

from rest_framework import status, viewsets
from rest_framework.response import Response

from oneteam.core.errors import ServiceError


class ScopedViewSetMixin:
    """Reads only through ``Model.objects.visible_to(user)``; an object outside
    the scope is 404."""

    def get_queryset(self):
        base = super().get_queryset()
        return base.visible_to(self.request.user)


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


def error_response(error: ServiceError) -> Response:
    return Response(error.as_dict(), status=error.status_code or status.HTTP_400_BAD_REQUEST)
