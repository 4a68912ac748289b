from django.contrib import admin

from oneteam.core.admin import ReadOnlyAdmin

from .models import LetterTemplate, SharedItem, ShareReceipt


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
