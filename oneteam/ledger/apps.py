from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "oneteam.ledger"
    label = "ledger"
    verbose_name = _("全过程记录")

    def ready(self) -> None:
        from oneteam.core.navigation import register_nav

        from .access import may_read_ledger

        register_nav(_("全过程记录"), "ledger:index", order=900, visible=may_read_ledger)
