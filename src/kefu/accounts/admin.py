from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kefu.accounts.actions import check_revoke_api_token
from kefu.accounts.lockout import LockoutAdminLoginForm
from kefu.accounts.models import ApiToken, LoginFailure, Team, TeamMembership, User
from kefu.core import clock
from kefu.core.admin import ReadOnlyAdmin
from kefu.core.errors import KefuError
from kefu.core.events import record_audit


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "presence", "max_concurrent_chats", "is_active")
    list_filter = ("presence", "groups", "is_active")
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("Service"), {"fields": ("display_name", "presence", "max_concurrent_chats", "language")}),
    )

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and form.changed_data:
            # Configuration edited in the admin still leaves an audit row (besides Django's admin log).
            changed = [f for f in form.changed_data if f != "password"]
            record_audit(obj, "user.updated_in_admin", actor=request.user, now=clock.now(), data={"fields": changed})


class MembershipInline(admin.TabularInline):
    model = TeamMembership
    extra = 1

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        # joined_at is set by the admin's save below, not typed in
        formset.form.base_fields.pop("joined_at", None)
        return formset


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "leader", "is_vip")
    inlines = [MembershipInline]
    exclude = ("created_at",)

    def save_model(self, request: HttpRequest, obj: Team, form: Any, change: bool) -> None:
        if not change:
            obj.created_at = clock.now()
        super().save_model(request, obj, form, change)
        record_audit(
            obj,
            "team.updated_in_admin" if change else "team.created",
            actor=request.user,
            now=clock.now(),
            data={"fields": list(form.changed_data)},
        )

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        memberships = formset.save(commit=False)
        for membership in memberships:
            membership.joined_at = membership.joined_at or clock.now()
            membership.save()
            record_audit(
                form.instance,
                "team.member_added",
                actor=request.user,
                now=clock.now(),
                data={"user": membership.user_id},
            )
        for removed in formset.deleted_objects:
            record_audit(
                form.instance,
                "team.member_removed",
                actor=request.user,
                now=clock.now(),
                data={"user": removed.user_id},
            )
            removed.delete()


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """Tokens are created with `kefu token create USERNAME`; here they are listed and revoked."""

    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    actions = ["revoke"]

    @admin.action(description=_("Revoke the selected API tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset.select_related("user"):
            try:
                check_revoke_api_token(token, actor=request.user)
            except KefuError as exc:
                self.message_user(request, exc.message, level=messages.ERROR)
                return
        self.message_user(request, _("Revoked."))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # the changelist's action needs "change"; the form stays read-only (no fields editable)
        return obj is None and request.user.has_perm("accounts.manage_tokens")


# The admin's sign-in page says when the sign-in is locked (kefu.accounts.lockout).
admin.site.login_form = LockoutAdminLoginForm


@admin.register(LoginFailure)
class LoginFailureAdmin(ReadOnlyAdmin):
    """Recent failed sign-ins (a lock lifts by itself 15 minutes after the failures that caused it)."""

    list_display = ("at", "username", "ip")
    search_fields = ("username", "ip")
