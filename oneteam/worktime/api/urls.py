from django.urls import path

from . import views

urlpatterns = [
    path("calendar/notices/", views.NoticeView.as_view(), name="worktime-notices"),
    path("calendar/<int:year>/", views.CalendarYearView.as_view(), name="worktime-calendar-year"),
    path("deadlines/compute/", views.DeadlineComputeView.as_view(), name="worktime-deadline-compute"),
]
