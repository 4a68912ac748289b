from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorktimeConfig(AppConfig):
    name = "oneteam.worktime"
    label = "worktime"
    verbose_name = _("工作日历与期限")

    def ready(self) -> None:
        from oneteam.core.navigation import register_banner, register_nav

        from .views import missing_year_banner

        register_nav(_("工作日历"), "worktime:calendar", order=80)
        register_banner(missing_year_banner)
