"""Endpoints are configured here by administrators; every save goes through the actions.
Deliveries are a read-only log with a *replay* action."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kefu.core.admin import ReadOnlyAdmin
from kefu.core.errors import KefuError
from kefu.webhooks import actions
from kefu.webhooks.choices import EVENT_LABELS, EVENT_TYPES
from kefu.webhooks.models import Delivery, Endpoint


def _checked(fn: Any, value: Any) -> Any:
    try:
        return fn(value)
    except KefuError as exc:
        raise forms.ValidationError(exc.message) from None


class EndpointForm(forms.ModelForm):  # type: ignore[type-arg]
    # Write-only: never rendered back (encrypted at rest).  Blank: generated on create, kept on edit.
    secret = forms.CharField(
        label=gettext_lazy("signing secret"),
        widget=forms.PasswordInput(render_value=False),
        required=False,
        max_length=200,
        help_text=gettext_lazy("Leave blank to generate one (shown once after saving) or to keep the current one."),
    )
    url = forms.CharField(label=gettext_lazy("URL"), max_length=500)
    event_types = forms.MultipleChoiceField(
        label=gettext_lazy("event types"),
        choices=[(t, format_lazy("{} ({})", EVENT_LABELS[t], t)) for t in EVENT_TYPES],
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Endpoint
        fields = ("name", "url", "secret", "event_types", "active")

    def clean_url(self) -> str:
        return str(_checked(actions.clean_url, self.cleaned_data.get("url") or ""))

    def clean_event_types(self) -> list[str]:
        return list(_checked(actions.clean_event_types, self.cleaned_data.get("event_types") or []))


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = EndpointForm
    list_display = ("name", "url", "active", "created_at")
    list_filter = ("active",)

    def save_model(self, request: HttpRequest, obj: Endpoint, form: Any, change: bool) -> None:
        data = form.cleaned_data
        try:
            if change:
                saved = actions.check_update_endpoint(
                    obj,
                    actor=request.user,
                    name=data["name"],
                    url=data["url"],
                    event_types=data["event_types"],
                    secret=data.get("secret") or None,
                    active=data["active"],
                )
            else:
                saved = actions.check_create_endpoint(
                    actor=request.user,
                    name=data["name"],
                    url=data["url"],
                    event_types=data["event_types"],
                    secret=data.get("secret") or "",
                    active=data["active"],
                )
                if not data.get("secret"):
                    messages.warning(
                        request,
                        _("The signing secret of %(name)s is %(secret)s — copy it now, it is not shown again.")
                        % {"name": saved.name, "secret": saved.secret},
                    )
        except KefuError as exc:
            messages.error(request, exc.message)
            return
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: Endpoint) -> None:
        actions.check_delete_endpoint(obj, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Endpoint]) -> None:
        for endpoint in queryset:
            actions.check_delete_endpoint(endpoint, actor=request.user)


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "endpoint",
        "event_type",
        "event_key",
        "status",
        "attempts",
        "status_code",
        "error",
        "next_attempt_at",
        "delivered_at",
    )
    list_filter = ("status", "event_type", "endpoint")
    search_fields = ("event_key",)
    actions = ["replay"]

    @admin.action(description=gettext_lazy("Replay the selected deliveries"), permissions=["replay"])
    def replay(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        count = 0
        for delivery in queryset.select_related("endpoint"):
            actions.check_replay_delivery(delivery, actor=request.user)
            count += 1
        messages.success(request, _("%(count)d deliveries will be sent again.") % {"count": count})

    def has_replay_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm("webhooks.replay_delivery"))
