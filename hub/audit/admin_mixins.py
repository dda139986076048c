"""Changes made in Django's admin go into the audit chain like any other staff change."""

from django.db import models
from django.http import HttpRequest

from hub.audit.services import audit_record


def _changed_fields(message: object) -> list[str]:
    """Field names from the admin's structured change message (never their values)."""
    fields: list[str] = []
    if isinstance(message, list):
        for entry in message:
            if isinstance(entry, dict) and "changed" in entry:
                fields.extend(entry["changed"].get("fields", []))
    return fields


class AuditedAdminMixin:
    def log_addition(self, request: HttpRequest, obj: models.Model, message):
        entry = super().log_addition(request, obj, message)  # type: ignore[misc]
        audit_record(action=f"{obj._meta.label_lower}.create", request=request, obj=obj, detail={"via": "admin"})
        return entry

    def log_change(self, request: HttpRequest, obj: models.Model, message):
        entry = super().log_change(request, obj, message)  # type: ignore[misc]
        audit_record(
            action=f"{obj._meta.label_lower}.update",
            request=request,
            obj=obj,
            detail={"via": "admin", "fields": _changed_fields(message)},
        )
        return entry

    def log_deletions(self, request: HttpRequest, queryset):
        entries = super().log_deletions(request, queryset)  # type: ignore[misc]
        for obj in queryset:
            audit_record(action=f"{obj._meta.label_lower}.delete", request=request, obj=obj, detail={"via": "admin"})
        return entries
