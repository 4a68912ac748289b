"""Linkage API routes under ``/api/v1/linkage/`` (the flows' own read and
action endpoints are the kernel's ``/api/v1/<route>/``)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter(trailing_slash=True)
router.register("linkage/inspection-targets", views.TargetViewSet, basename="linkage-target")
router.register("linkage/inspection-plans", views.PlanViewSet, basename="linkage-plan")

urlpatterns = [
    path("linkage/joint-operations/", views.JointOperationStart.as_view(), name="linkage-joint-start"),
    path("linkage/criminal-referrals/", views.ReferralStart.as_view(), name="linkage-referral-start"),
    path("linkage/criminal-referrals/<int:pk>/materials/", views.ReferralMaterials.as_view(),
         name="linkage-referral-materials"),
    path("linkage/referral-oversight/", views.ReferralOversight.as_view(), name="linkage-referral-oversight"),
    path("linkage/penalty-check/", views.PenaltyCheck.as_view(), name="linkage-penalty-check"),
    path("linkage/execution-applications/", views.ExecutionStart.as_view(), name="linkage-execution-start"),
    path("linkage/police-supports/", views.PoliceSupportStart.as_view(), name="linkage-police-support-start"),
    path("linkage/inspection-codes/<str:code>/", views.public_inspection, name="linkage-inspection-code"),
    *router.urls,
]
