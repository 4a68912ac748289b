"""Command API routes (under ``/api/v1/``). Leads themselves are the kernel's
``/api/v1/events/``; this adds intake only."""

from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter(trailing_slash=True)
router.register("event-reports", views.EventReportViewSet, basename="command-event-report")

urlpatterns = [*router.urls]
