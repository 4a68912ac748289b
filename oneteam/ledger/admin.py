"""Read-only admin: the record is never edited, not even by an administrator."""

from django.contrib import admin

from oneteam.core.admin import ReadOnlyAdmin

from .models import LedgerCheckpoint, LedgerEntry


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["seq", "recorded_at", "actor_name", "object_type", "object_id", "action"]
    list_filter = ["object_type", "action"]
    search_fields = ["=object_id", "actor_name"]
    show_full_result_count = False


@admin.register(LedgerCheckpoint)
class LedgerCheckpointAdmin(ReadOnlyAdmin):
    list_display = ["id", "created_at", "tree_size", "root", "key_id"]
