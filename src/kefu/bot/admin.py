"""FAQ bot configuration in the admin: which channels it answers first in, and its threshold."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kefu.bot.actions import do_set_channel_bot
from kefu.bot.models import BotChannelSetting, BotSession
from kefu.conversations.choices import ChannelKind
from kefu.conversations.models import Channel
from kefu.core import clock
from kefu.core.admin import ReadOnlyAdmin


@admin.register(BotChannelSetting)
class BotChannelSettingAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("channel", "enabled", "threshold", "updated_at")
    list_editable = ("enabled",)
    exclude = ("updated_at",)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # Through the action: validated (web chat only, 0–1) and audited.
        row = do_set_channel_bot(
            obj.channel, enabled=obj.enabled, threshold=obj.threshold, actor=request.user, now=clock.now()
        )
        obj.pk, obj.updated_at = row.pk, row.updated_at

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "channel":  # the bot answers in web chat only
            kwargs["queryset"] = Channel.objects.filter(kind=ChannelKind.WEB_CHAT)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(BotSession)
class BotSessionAdmin(ReadOnlyAdmin):
    list_display = ("conversation", "state", "turns", "intent", "article", "confidence", "handoff_reason")
    list_filter = ("state", "handoff_reason")
