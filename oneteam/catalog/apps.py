from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "oneteam.catalog"
    label = "catalog"
    verbose_name = _("执法事项与赋权")

    def ready(self) -> None:
        from oneteam.core.navigation import register_nav

        from . import flows  # noqa: F401  (registers the empowerment flow on the kernel)

        register_nav(_("执法事项"), "catalog:matter-list", order=30)
        register_nav(_("谁来管"), "catalog:who-handles", order=31)
        register_nav(_("赋权与权力清单"), "catalog:empowerment-list", order=32)
        self._invalidate_resolver_on_change()

    @staticmethod
    def _invalidate_resolver_on_change() -> None:
        """Clear the resolver's memo in this process when anything it reads is saved."""
        from django.db.models.signals import post_delete, post_save

        from oneteam.org.models import Body, ModeDecision, Township

        from . import models, resolver

        watched = [Body, ModeDecision, Township, models.CatalogVersion, models.Matter, models.MatterEntry,
                   models.EmpowermentDecision, models.Empowerment, models.CompetenceRule]
        for model in watched:
            post_save.connect(resolver.invalidate, sender=model, dispatch_uid=f"resolver-{model._meta.label}")
            post_delete.connect(resolver.invalidate, sender=model, dispatch_uid=f"resolver-del-{model._meta.label}")
