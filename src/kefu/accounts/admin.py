from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from kefu.accounts.models import ApiToken, Team, TeamMembership, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "presence", "max_concurrent_chats", "is_active")
    list_filter = ("presence", "groups", "is_active")
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("Service"), {"fields": ("display_name", "presence", "max_concurrent_chats", "language")}),
    )


class MembershipInline(admin.TabularInline):
    model = TeamMembership
    extra = 1


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "leader", "is_vip")
    inlines = [MembershipInline]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "key_hash", "created_at", "last_used_at")
