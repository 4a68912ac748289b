from django.urls import path
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("catalogs", views.CatalogViewSet, basename="catalog-catalog")
router.register("matters", views.MatterViewSet, basename="catalog-matter")
router.register("empowerment-decisions", views.EmpowermentDecisionViewSet, basename="catalog-empowerment-decision")

urlpatterns = [
    path("power-list/<str:township>/", views.PowerListView.as_view(), name="catalog-power-list"),
    path("empowerment-proposals/", views.ProposalView.as_view(), name="catalog-empowerment-proposals"),
    path("who-handles/", views.WhoHandlesView.as_view(), name="catalog-who-handles"),
    *router.urls,
]
