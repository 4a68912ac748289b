"""Admin: outbound channels are configured here per body; processes,
transitions, deliveries and notifications are read-only (they change only
through the kernel's services)."""

from django.contrib import admin

from oneteam.core.admin import ReadOnlyAdmin

from .models import BodyChannel, Delivery, Process, Transition


@admin.register(BodyChannel)
class BodyChannelAdmin(admin.ModelAdmin):
    list_display = ["body", "name", "kind", "url", "active"]
    list_filter = ["kind", "active"]
    list_select_related = ["body"]

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: deliveries refer to the channel


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "channel", "verb", "status", "attempts", "next_attempt_at", "delivered_at"]
    list_filter = ["status"]


@admin.register(Process)
class ProcessAdmin(ReadOnlyAdmin):
    list_display = ["number", "kind", "title", "state", "initiator_body", "created_at", "closed_at"]
    list_filter = ["kind", "state"]
    search_fields = ["number", "title"]


@admin.register(Transition)
class TransitionAdmin(ReadOnlyAdmin):
    list_display = ["process", "seq", "action", "from_state", "to_state", "actor_name", "body_name", "at"]
    list_filter = ["action"]
