from django.urls import path

from . import views

app_name = "oversight"
urlpatterns = [
    path("metrics/", views.metrics, name="metrics"),
    path("metrics/processes/", views.drill, name="drill"),
]
