from django.urls import path

from . import views

app_name = "ledger"

urlpatterns = [
    path("", views.index, name="index"),
    path("verify/", views.verify, name="verify"),
    path("checkpoints/<int:pk>.json", views.checkpoint_export, name="checkpoint-export"),
    path("public-key.pem", views.public_key, name="public-key"),
]
