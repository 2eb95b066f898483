from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kefu.core.models import AuditEvent, Notification


class StampedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Configuration edited in the admin (SLA policies, triggers, phrase lists …): saving stamps
    ``updated_at`` from the one clock and writes the audit row ``<app>.<model>.created|changed``."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        from kefu.core import clock
        from kefu.core.events import record_audit

        now = clock.now()
        obj.updated_at = now
        super().save_model(request, obj, form, change)
        record_audit(
            obj,
            f"{obj._meta.app_label}.{type(obj).__name__.lower()}.{'changed' if change else 'created'}",
            actor=request.user,
            now=now,
            data={"fields": sorted(form.changed_data)} if form is not None else None,
        )


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Domain records (conversations, tickets, customers …) change only through actions,
    which check permissions and write the audit trail; the admin shows them read-only.
    Agents edit them in the workspace."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):  # type: ignore[type-arg]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "content_type", "object_id", "verb", "from_state", "to_state", "actor")
    list_filter = ("content_type", "verb")
    search_fields = ("object_id", "verb")
    date_hierarchy = "created_at"


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "user", "kind", "text", "read_at")
    list_filter = ("kind",)
