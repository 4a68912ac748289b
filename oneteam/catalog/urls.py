from django.urls import path

from . import views

app_name = "catalog"
urlpatterns = [
    path("", views.index, name="index"),
    path("catalogs/", views.catalog_list, name="catalog-list"),
    path("matters/", views.matter_list, name="matter-list"),
    path("matters/<str:code>/", views.matter_detail, name="matter-detail"),
    path("power-list/", views.power_list, name="power-list"),
    path("power-list/<str:township>/", views.power_list, name="power-list-township"),
    path("power-list/<str:township>/export.xlsx", views.power_list_export, name="power-list-export"),
    path("who-handles/", views.who_handles_page, name="who-handles"),
    path("rules/", views.rule_list, name="rule-list"),
    path("empowerments/", views.empowerment_list, name="empowerment-list"),
    path("empowerments/propose/", views.empowerment_propose, name="empowerment-propose"),
    path("empowerments/<int:pk>/", views.empowerment_detail, name="empowerment-detail"),
]
