from django.urls import path

from . import views

app_name = "org"
urlpatterns = [
    path("townships/", views.township_list, name="township-list"),
    path("townships/<int:pk>/", views.township_detail, name="township-detail"),
    path("map/", views.city_map, name="map"),
    path("grids.geojson", views.grids_geojson, name="grids-geojson"),
    path("locate/", views.locate, name="locate"),
    path("bodies/", views.body_list, name="body-list"),
    path("people/", views.people_list, name="people-list"),
    path("people/<int:pk>/", views.person_detail, name="person-detail"),
    path("certificates/", views.certificate_list, name="certificate-list"),
]
