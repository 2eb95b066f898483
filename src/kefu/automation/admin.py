"""Automation configuration (triggers, time triggers, macros) in the admin; changes are audited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kefu.automation.models import Macro, TimeTrigger, Trigger
from kefu.core import clock
from kefu.core.events import record_audit


class _Stamped(admin.ModelAdmin):  # type: ignore[type-arg]
    exclude = ("updated_at",)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        now = clock.now()
        obj.updated_at = now
        super().save_model(request, obj, form, change)
        record_audit(
            obj,
            f"automation.{type(obj).__name__.lower()}.{'changed' if change else 'created'}",
            actor=request.user,
            now=now,
            data={"fields": sorted(form.changed_data)} if form is not None else None,
        )


@admin.register(Trigger)
class TriggerAdmin(_Stamped):
    list_display = ("position", "name", "event", "is_active")
    list_display_links = ("name",)
    list_filter = ("event", "is_active")


@admin.register(TimeTrigger)
class TimeTriggerAdmin(_Stamped):
    list_display = ("name", "status", "hours", "is_active")
    list_filter = ("status", "is_active")


@admin.register(Macro)
class MacroAdmin(_Stamped):
    list_display = ("name", "is_active")
