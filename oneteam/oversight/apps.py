from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _is_staff(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


class OversightConfig(AppConfig):
    name = "oneteam.oversight"
    label = "oversight"
    verbose_name = _("监督考核")

    def ready(self) -> None:
        from oneteam.core.navigation import register_nav

        from . import rollups

        register_nav(_("效能指标"), "oversight:metrics", order=80, visible=_is_staff)
        # The kernel runs registered hooks at the end of start_process and of
        # every perform, inside the action's transaction (rollups.on_transition).
        try:
            from oneteam.workflow import hooks
        except ImportError:  # a kernel without the hook registry: tests wire the hook in themselves
            return
        hooks.register_after_action(rollups.on_transition)
