from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "oneteam.workflow"
    label = "workflow"
    verbose_name = _("流程")

    def ready(self) -> None:
        from oneteam.core.navigation import register_nav

        register_nav(_("我的待办"), "workflow:inbox", order=20)
