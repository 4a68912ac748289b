"""Read-only admin for notices: loading goes through the calendar page (or
``oneteam calendar load``), which previews, validates and records in the ledger."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import HolidayNotice, NoticeDay


class NoticeDayInline(admin.TabularInline):
    model = NoticeDay
    fields = ["date", "kind", "name"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(HolidayNotice)
class HolidayNoticeAdmin(admin.ModelAdmin):
    list_display = ["year", "title", "scope", "reference", "loaded_by_name", "loaded_at"]
    list_filter = ["year", "scope"]
    readonly_fields = [
        "year",
        "scope",
        "title",
        "reference",
        "published_on",
        "source_text",
        "loaded_at",
        "loaded_by_name",
        "load_link",
    ]
    exclude = ["loaded_by"]
    inlines = [NoticeDayInline]

    @admin.display(description=_("导入新通知"))
    def load_link(self, obj=None):
        return format_html('<a href="{}">{}</a>', reverse("worktime:load"), _("在工作日历页面导入"))

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
