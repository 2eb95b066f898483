from django.contrib import admin

from kefu.knowledge.models import CannedReply


@admin.register(CannedReply)
class CannedReplyAdmin(admin.ModelAdmin):
    list_display = ("title", "category", "shortcut", "shop", "is_active")
    list_filter = ("category", "shop", "is_active")
    search_fields = ("title", "text", "shortcut")
