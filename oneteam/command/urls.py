from django.urls import path

from . import views

app_name = "command"
urlpatterns = [
    path("", views.room, name="room"),
    path("events.geojson", views.events_geojson, name="events-geojson"),
    path("events/<int:pk>/quick-dispatch/", views.quick_dispatch, name="quick-dispatch"),
    path("events/<int:pk>/supervise/", views.supervise, name="supervise"),
    path("duplicates/<int:pk>/keep/", views.keep_not_duplicate, name="keep-not-duplicate"),
    path("report/", views.report, name="report"),
    path("patrol/", views.patrol, name="patrol"),
    path("wall/", views.wall, name="wall"),
    path("wall/data/", views.wall_data, name="wall-data"),
]
