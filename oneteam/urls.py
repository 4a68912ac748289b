from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from oneteam.core import views as core_views

api_v1 = [
    path("", include("oneteam.org.api.urls")),
    path("", include("oneteam.ledger.api.urls")),
    path("", include("oneteam.worktime.api.urls")),
    path("", include("oneteam.workflow.api.urls")),
    path("", include("oneteam.catalog.api.urls")),
    path("", include("oneteam.command.api.urls")),
    path("", include("oneteam.cooperation.api.urls")),
    path("", include("oneteam.linkage.api.urls")),
    path("", include("oneteam.oversight.api.urls")),
]

urlpatterns = [
    path("", core_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("org/", include("oneteam.org.urls")),
    path("ledger/", include("oneteam.ledger.urls")),
    path("worktime/", include("oneteam.worktime.urls")),
    path("flows/", include("oneteam.workflow.urls")),
    path("catalog/", include("oneteam.catalog.urls")),
    path("command/", include("oneteam.command.urls")),
    path("cooperation/", include("oneteam.cooperation.urls")),
    path("linkage/", include("oneteam.linkage.urls")),
    path("oversight/", include("oneteam.oversight.urls")),
    path("open311/v2/", include("oneteam.command.open311.urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]

admin.site.site_header = _("OneTeam 管理后台")
admin.site.site_title = "OneTeam"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
