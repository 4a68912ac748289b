"""Admin pieces shared by every context."""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written by services (with their ledger entry) are only viewed
    in the admin: no add, change or delete, not even by an administrator."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
