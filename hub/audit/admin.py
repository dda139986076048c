from django.contrib import admin

from hub.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: nobody edits or deletes an audit event, administrators included."""

    list_display = ["sequence", "created_at", "actor", "action", "object_type", "object_id", "outcome"]
    list_filter = ["action", "outcome"]
    search_fields = ["action", "object_type", "object_id"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
