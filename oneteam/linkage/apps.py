from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LinkageConfig(AppConfig):
    name = "oneteam.linkage"
    label = "linkage"
    verbose_name = _("联合执法与行刑衔接")
