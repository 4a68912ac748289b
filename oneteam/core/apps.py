from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "oneteam.core"
    label = "core"
    verbose_name = _("基础")

    def ready(self) -> None:
        from . import sqlite  # noqa: F401  (its connection hook: background checkpoints under `serve`)
