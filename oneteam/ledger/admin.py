"""Read-only admin: the record is never edited, not even by an administrator."""

from django.contrib import admin

from .models import LedgerCheckpoint, LedgerEntry


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["seq", "recorded_at", "actor_name", "object_type", "object_id", "action"]
    list_filter = ["object_type", "action"]
    search_fields = ["=object_id", "actor_name"]
    show_full_result_count = False


@admin.register(LedgerCheckpoint)
class LedgerCheckpointAdmin(ReadOnlyAdmin):
    list_display = ["id", "created_at", "tree_size", "root", "key_id"]
