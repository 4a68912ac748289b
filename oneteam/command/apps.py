from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommandConfig(AppConfig):
    name = "oneteam.command"
    label = "command"
    verbose_name = _("协同指挥")
