from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "oneteam.org"
    label = "org"
    verbose_name = _("组织与辖区")

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from oneteam.core.navigation import register_banner, register_nav

        from . import signals  # noqa: F401  (log-in auditing)
        from .banners import certificate_banner

        register_nav(_("乡镇(街道)"), "org:township-list", order=10)
        register_nav(_("网格地图"), "org:map", order=11)
        register_nav(_("单位"), "org:body-list", order=80)
        register_nav(_("人员与执法证"), "org:people-list", order=81)
        register_banner(certificate_banner)
