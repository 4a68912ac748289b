from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommandConfig(AppConfig):
    name = "oneteam.command"
    label = "command"
    verbose_name = _("协同指挥")

    def ready(self) -> None:
        from oneteam.core.access import scope_for
        from oneteam.core.navigation import register_nav

        from . import flows  # noqa: F401  (registers the event flow)

        register_nav(_("指挥室"), "command:room", order=1)
        register_nav(_("上报事件"), "command:report", order=2)
        register_nav(_("网格巡查"), "command:patrol", order=3)
        register_nav(_("指挥大屏"), "command:wall", order=4, visible=lambda u: scope_for(u).everything)
