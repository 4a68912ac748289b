from django.urls import path

from . import views

app_name = "cooperation"
urlpatterns = [
    path("", views.index, name="index"),
    path("requests/new/", views.collaboration_new, name="collaboration-new"),
    path("transfers/new/", views.transfer_new, name="transfer-new"),
    path("transfers/<int:pk>/letter/", views.transfer_letter, name="transfer-letter"),
    path("letter-template/", views.letter_template, name="letter-template"),
    path("letter-template/current/", views.letter_template_default, name="letter-template-current"),
    path("disputes/", views.dispute_dashboard, name="dispute-dashboard"),
    path("disputes/new/", views.dispute_new, name="dispute-new"),
    path("shares/", views.share_list, name="share-list"),
    path("shares/new/", views.share_new, name="share-new"),
    path("shares/<int:pk>/", views.share_detail, name="share-detail"),
    path("shares/<int:pk>/files/<int:att>/", views.share_file, name="share-file"),
]
