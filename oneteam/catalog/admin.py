"""Admin: catalogs are configuration (editable); everything else is read-only
here because its writes go through :mod:`oneteam.catalog.services` (ledger)."""

from django.contrib import admin

from oneteam.core.admin import ReadOnlyAdmin

from .models import Catalog, CatalogVersion, CompetenceRule, Empowerment, EmpowermentDecision, MatterEntry


@admin.register(Catalog)
class CatalogAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "township_selectable", "order"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CatalogVersion)
class CatalogVersionAdmin(ReadOnlyAdmin):
    list_display = ["catalog", "label", "effective_from", "is_demo", "imported_at"]
    list_filter = ["catalog"]


@admin.register(MatterEntry)
class MatterEntryAdmin(ReadOnlyAdmin):
    list_display = ["matter", "name", "kind", "field", "version", "department"]
    list_filter = ["version__catalog", "field", "kind"]
    search_fields = ["matter__code", "name"]


@admin.register(EmpowermentDecision)
class EmpowermentDecisionAdmin(ReadOnlyAdmin):
    list_display = ["decision_no", "township", "kind", "effective_from", "is_demo"]
    list_filter = ["kind"]


@admin.register(Empowerment)
class EmpowermentAdmin(ReadOnlyAdmin):
    list_display = ["township", "matter", "effective_from", "withdrawn_from"]
    list_filter = ["township"]


@admin.register(CompetenceRule)
class CompetenceRuleAdmin(ReadOnlyAdmin):
    list_display = ["matter", "township", "body", "valid_from", "valid_until", "source"]
