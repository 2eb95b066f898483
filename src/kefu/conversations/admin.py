from django.contrib import admin

from kefu.conversations.models import Channel, Conversation, Message


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "key", "shop", "team", "is_active")
    list_filter = ("kind", "is_active")


class MessageInline(admin.TabularInline):
    model = Message
    extra = 0
    fields = ("author_kind", "author", "text", "is_internal", "created_at")
    readonly_fields = fields
    can_delete = False


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ("id", "customer", "channel", "status", "assignee", "team", "priority", "last_message_at")
    list_filter = ("status", "channel", "priority", "service_class", "stage")
    readonly_fields = ("status",)
    inlines = [MessageInline]

    def has_add_permission(self, request):  # conversations come from channels, not the admin
        return False
