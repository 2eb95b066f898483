from django.contrib import admin

from kefu.conversations.models import Channel, Conversation, Message
from kefu.core.admin import ReadOnlyAdmin, ReadOnlyInline


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "key", "shop", "team", "is_active")
    list_filter = ("kind", "is_active")


class MessageInline(ReadOnlyInline):
    model = Message
    fields = ("author_kind", "author", "text", "is_internal", "created_at")
    readonly_fields = fields


@admin.register(Conversation)
class ConversationAdmin(ReadOnlyAdmin):
    list_display = ("id", "customer", "channel", "status", "assignee", "team", "priority", "last_message_at")
    list_filter = ("status", "channel", "priority", "service_class", "stage")
    inlines = [MessageInline]
