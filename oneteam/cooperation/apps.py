from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CooperationConfig(AppConfig):
    name = "oneteam.cooperation"
    label = "cooperation"
    verbose_name = _("协作配合")

    def ready(self) -> None:
        from oneteam.core.navigation import register_nav

        from . import flows  # noqa: F401  (registers the three flows)

        register_nav(_("协作配合"), "cooperation:index", order=60)
        register_nav(_("执法争议"), "cooperation:dispute-dashboard", order=62)
        register_nav(_("信息共享"), "cooperation:share-list", order=64)
