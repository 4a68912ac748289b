from django.urls import path

from . import views

app_name = "worktime"
urlpatterns = [
    path("", views.calendar_view, name="calendar"),
    path("<int:year>/", views.calendar_view, name="calendar_year"),
    path("load/", views.load_view, name="load"),
    path("deadline/", views.deadline_view, name="deadline"),
]
