from django.urls import path

from . import views

app_name = "workflow"
urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications-read"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("<slug:route>/", views.process_list, name="list"),
    path("<slug:route>/diagram/", views.flow_diagram, name="diagram"),
    path("<slug:route>/<int:pk>/", views.detail, name="detail"),
    path("<slug:route>/<int:pk>/comment/", views.comment, name="comment"),
    path("<slug:route>/<int:pk>/<slug:action>/", views.act, name="act"),
]
