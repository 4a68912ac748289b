from django.urls import path
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("townships", views.TownshipViewSet, basename="township")
router.register("mode-decisions", views.ModeDecisionViewSet, basename="mode-decision")
router.register("villages", views.VillageViewSet, basename="village")
router.register("grids", views.GridViewSet, basename="grid")
router.register("bodies", views.BodyViewSet, basename="body")
router.register("people", views.PersonViewSet, basename="person")
router.register("certificates", views.CertificateViewSet, basename="certificate")
router.register("trainings", views.TrainingViewSet, basename="training")

urlpatterns = [
    path("locate/", views.LocateView.as_view(), name="locate"),
    *router.urls,
]
