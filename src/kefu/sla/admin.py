"""SLA configuration in the admin (policies, targets, calendars and their extra days).

Configuration, not domain records: administrators edit it here; each change is audited
and the per-process policy cache is dropped (the signals in apps.py)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kefu.core.admin import StampedAdmin
from kefu.sla.models import BusinessCalendar, CalendarDay, Deadline, SlaPolicy, SlaTarget


class TargetInline(admin.TabularInline):  # type: ignore[type-arg]
    model = SlaTarget
    extra = 1


@admin.register(SlaPolicy)
class SlaPolicyAdmin(StampedAdmin):
    list_display = ("position", "name", "applies_to", "channel", "ticket_type", "priority", "calendar", "is_active")
    list_display_links = ("name",)
    list_filter = ("applies_to", "is_active", "calendar")
    search_fields = ("name",)
    inlines = [TargetInline]
    exclude = ("updated_at",)
    autocomplete_fields = ("customer",)


class DayInline(admin.TabularInline):  # type: ignore[type-arg]
    model = CalendarDay
    extra = 1


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(StampedAdmin):
    list_display = ("name", "label", "always_open", "china_holidays", "timezone")
    inlines = [DayInline]
    exclude = ("updated_at",)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # Hours or days changed: the running deadlines on this calendar move with them.
        from kefu.sla.tasks import recompute_calendar_task

        recompute_calendar_task.on_commit(form.instance.name)


@admin.register(Deadline)
class DeadlineAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: deadlines are set and stopped by the apps' actions, fired by the sweeper."""

    list_display = ("kind", "object_id", "name", "due_at", "warned_at", "fired_at", "stopped_at", "owner", "team")
    list_filter = ("kind", "name")
    search_fields = ("object_id", "text")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
