from django.contrib import admin

from .models import LetterTemplate, SharedItem, ShareReceipt


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records are written by services (with their ledger entry), never in the admin."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SharedItem)
class SharedItemAdmin(ReadOnlyAdmin):
    list_display = ["title", "category", "publisher", "published_at"]
    search_fields = ["title", "document_no"]


@admin.register(ShareReceipt)
class ShareReceiptAdmin(ReadOnlyAdmin):
    list_display = ["item", "township", "delivered_at", "first_read_at"]


@admin.register(LetterTemplate)
class LetterTemplateAdmin(ReadOnlyAdmin):
    list_display = ["attachment", "active", "uploaded_by", "uploaded_at"]
