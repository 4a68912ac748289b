"""The project's URLs plus the ledger's, for tests (the project URLconf may not mount them yet)."""

from django.urls import include, path

from oneteam.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("ledger/", include("oneteam.ledger.urls")),
    path("api/v1/", include("oneteam.ledger.api.urls")),
    *project_urlpatterns,
]
