from secrets import token_hex
from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext as _

from kefu.conversations.models import Channel, Conversation, Message
from kefu.conversations.visitors import validate_hours
from kefu.core.admin import ReadOnlyAdmin, ReadOnlyInline
from kefu.core.errors import ValidationFailed


class ChannelForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Channel
        fields = "__all__"  # noqa: DJ007 - every setting of a channel is the admin's to edit

    def clean_hours(self) -> Any:
        try:
            return validate_hours(self.cleaned_data.get("hours"))
        except ValidationFailed as exc:
            raise forms.ValidationError(exc.message) from None

    def clean_secret(self) -> str:
        secret = (self.cleaned_data.get("secret") or "").strip()
        if secret and len(secret) < 16:
            raise forms.ValidationError(_("Use at least 16 characters, e.g. %(example)s") % {"example": token_hex(16)})
        return secret


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = ChannelForm
    list_display = ("name", "kind", "key", "shop", "team", "routing", "is_active")
    list_filter = ("kind", "is_active", "routing")


class MessageInline(ReadOnlyInline):
    model = Message
    fields = ("author_kind", "author", "text", "is_internal", "created_at")
    readonly_fields = fields


@admin.register(Conversation)
class ConversationAdmin(ReadOnlyAdmin):
    list_display = ("id", "customer", "channel", "status", "assignee", "team", "priority", "last_message_at")
    list_filter = ("status", "channel", "priority", "service_class", "stage")
    inlines = [MessageInline]
