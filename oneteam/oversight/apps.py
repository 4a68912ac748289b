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
        from oneteam.workflow import services as kernel

        from . import rollups

        register_nav(_("效能指标"), "oversight:metrics", order=80, visible=_is_staff)
        # The kernel calls registered hooks at the end of every action, inside
        # its transaction (see rollups.on_transition). Until the kernel has the
        # registry, tests wire the hook in themselves (tests/conftest.py).
        register = getattr(kernel, "register_transition_hook", None)
        if register is not None:
            register(rollups.on_transition)
