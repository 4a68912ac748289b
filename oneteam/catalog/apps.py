from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "oneteam.catalog"
    label = "catalog"
    verbose_name = _("执法事项与赋权")

    def ready(self) -> None:
        from oneteam.core.navigation import register_nav

        from . import flows  # noqa: F401  (registers the empowerment flow on the kernel)

        register_nav(_("执法事项"), "catalog:matter-list", order=30)
        register_nav(_("谁来管"), "catalog:who-handles", order=31)
        register_nav(_("赋权与权力清单"), "catalog:empowerment-list", order=32)
