from django.contrib import admin

from kefu.knowledge.models import CannedReply


@admin.register(CannedReply)
class CannedReplyAdmin(admin.ModelAdmin):
    """Company and team phrases (personal ones are made by agents on /kb/canned/). Articles,
    dictionary words and synonyms are edited on the workspace's Knowledge pages, whose actions keep
    the search index right."""

    list_display = ("title", "category", "shortcut", "scope", "team", "shop", "usage_count", "is_active")
    list_filter = ("category", "scope", "team", "shop", "is_active")
    search_fields = ("title", "text", "note", "shortcut")
    readonly_fields = ("usage_count",)
    fields = (
        "key",
        "category",
        "title",
        "text",
        "note",
        "shortcut",
        "scope",
        "team",
        "owner",
        "shop",
        "is_active",
        "usage_count",
        "source",
    )
