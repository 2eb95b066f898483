"""Assist configuration in the admin: the forbidden-phrase list (R18) and which severities block sending.

Changes are stamped and audited like the SLA configuration."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kefu.assist.models import AssistSettings, ForbiddenPhrase
from kefu.core.admin import StampedAdmin


@admin.register(ForbiddenPhrase)
class ForbiddenPhraseAdmin(StampedAdmin):
    list_display = ("phrase", "rule", "severity", "suggestion", "source", "is_active")
    list_filter = ("rule", "severity", "is_active")
    list_editable = ("severity", "is_active")
    search_fields = ("phrase", "suggestion", "reason")
    exclude = ("updated_at",)


@admin.register(AssistSettings)
class AssistSettingsAdmin(StampedAdmin):
    list_display = ("__str__", "block_severities", "raise_priority")
    exclude = ("updated_at",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not AssistSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
