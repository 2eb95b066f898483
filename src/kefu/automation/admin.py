"""Automation configuration (triggers, time triggers, macros) in the admin; changes are audited."""

from __future__ import annotations

from django.contrib import admin

from kefu.automation.models import Macro, TimeTrigger, Trigger
from kefu.core.admin import StampedAdmin


class _Stamped(StampedAdmin):
    exclude = ("updated_at",)


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
