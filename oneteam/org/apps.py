from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "oneteam.org"
    label = "org"
    verbose_name = _("组织与辖区")

    def ready(self) -> None:
        from . import signals  # noqa: F401  (log-in auditing)
