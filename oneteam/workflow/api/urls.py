"""API routes. The kernel's own endpoints are fixed; each registered flow gets
``/<route>/`` from :func:`~oneteam.workflow.api.views.viewset_for`.

Flow routes are resolved through :class:`FlowRoutes`, whose patterns are
rebuilt whenever the flow registry changes, so a flow registered after the
URLconf was loaded (tests, or an app imported late) is still served, and only
declared routes match (nothing shadows other apps' endpoints).
"""

from __future__ import annotations

from django.urls import URLResolver
from django.urls.resolvers import RoutePattern
from rest_framework.routers import SimpleRouter

from ..declare import all_flows, registry_version
from . import views


def _kernel_router() -> SimpleRouter:
    router = SimpleRouter(trailing_slash=True)
    router.register("inbox", views.InboxViewSet, basename="workflow-inbox")
    router.register("notifications", views.NotificationViewSet, basename="workflow-notification")
    router.register("attachments", views.AttachmentViewSet, basename="workflow-attachment")
    return router


class FlowRoutes(URLResolver):
    """A resolver whose patterns follow the flow registry."""

    def __init__(self) -> None:
        super().__init__(RoutePattern(""), [])
        self._built_for: int | None = None
        self._patterns: list = []

    @property
    def url_patterns(self):
        version = registry_version()
        if version != self._built_for:
            router = SimpleRouter(trailing_slash=True)
            for flow in all_flows():
                router.register(flow.route, views.viewset_for(flow), basename=f"flow-{flow.route}")
            self._patterns = router.urls
            self._built_for = version
            # Drop reverse-lookup caches computed from the old patterns.
            self._populated = False
            self._reverse_dict.clear()
            self._namespace_dict.clear()
            self._app_dict.clear()
        return self._patterns

    @property
    def urlconf_module(self):
        return self.url_patterns


urlpatterns = [
    *_kernel_router().urls,
    FlowRoutes(),
]
