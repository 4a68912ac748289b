"""Django admin for organisation data. Saves go through ``do_save_master`` so
every admin change is in the ledger; nothing can be deleted here."""

from django.contrib import admin

from oneteam.core.admin import ReadOnlyAdmin

from . import services
from .models import (
    Body,
    City,
    Commendation,
    EnforcementCertificate,
    Grid,
    LegalQualification,
    LoginEvent,
    ModeDecision,
    Township,
    TrainingRecord,
    User,
    UserRole,
    Village,
)


class MasterAdmin(admin.ModelAdmin):
    def save_model(self, request, obj, form, change):
        changes = {f: form.cleaned_data[f] for f in form.changed_data if f in form.cleaned_data} if change else None
        if change:
            fresh = type(obj).objects.get(pk=obj.pk)
            plain = {k: v for k, v in (changes or {}).items()
                     if not obj._meta.get_field(k).many_to_many}
            services.do_save_master(fresh, actor=request.user, changes=plain)
            obj.pk = fresh.pk
        else:
            services.do_save_master(obj, actor=request.user)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(City)
class CityAdmin(MasterAdmin):
    list_display = ["code", "name", "prefecture"]


@admin.register(Township)
class TownshipAdmin(MasterAdmin):
    list_display = ["code", "name", "kind"]
    search_fields = ["name", "code"]
    list_filter = ["kind"]


@admin.register(Village)
class VillageAdmin(MasterAdmin):
    list_display = ["code", "name", "township", "kind"]
    search_fields = ["name", "code"]
    list_filter = ["township"]


@admin.register(Grid)
class GridAdmin(MasterAdmin):
    list_display = ["code", "name", "village", "chief"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["village", "chief", "officers"]


@admin.register(Body)
class BodyAdmin(MasterAdmin):
    list_display = ["code", "name", "kind", "level", "township", "is_active"]
    list_filter = ["kind", "level", "is_active"]
    search_fields = ["name", "short_name", "code"]
    autocomplete_fields = ["township", "village", "parent"]


class RoleInline(admin.TabularInline):
    model = UserRole
    extra = 1


@admin.register(User)
class UserAdmin(MasterAdmin):
    list_display = ["username", "full_name", "body", "is_active"]
    search_fields = ["username", "full_name"]
    list_filter = ["is_active", "body__kind"]
    autocomplete_fields = ["body"]
    exclude = ["password", "user_permissions", "groups"]
    inlines = [RoleInline]


@admin.register(ModeDecision)
class ModeDecisionAdmin(admin.ModelAdmin):
    """Decisions are recorded through the service (history, never edited)."""

    list_display = ["township", "mode", "hub", "effective_from", "decision_no"]
    list_filter = ["mode"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        decision = services.do_record_mode_decision(
            obj.township, actor=request.user, mode=obj.mode, hub=obj.hub, effective_from=obj.effective_from,
            decision_no=obj.decision_no, decision_title=obj.decision_title, note=obj.note)
        obj.pk = decision.pk


@admin.register(EnforcementCertificate)
class CertificateAdmin(MasterAdmin):
    list_display = ["number", "user", "valid_from", "valid_until", "revoked_on"]
    search_fields = ["number", "user__full_name"]
    autocomplete_fields = ["user"]


for model in (LegalQualification, TrainingRecord, Commendation):
    admin.site.register(model, MasterAdmin)


@admin.register(LoginEvent)
class LoginEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "kind", "username", "ip_address"]
    list_filter = ["kind"]
    search_fields = ["username"]
