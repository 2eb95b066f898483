from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from kefu.core import clock
from kefu.core.admin import ReadOnlyAdmin
from kefu.core.errors import ValidationFailed
from kefu.quality.engine import compile_custom
from kefu.quality.models import CustomRule, Inspection, Scorecard


class CustomRuleForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = CustomRule
        fields = ("key", "name", "kind", "pattern", "mode", "weight", "enabled")

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        try:
            compile_custom(data.get("kind", ""), data.get("pattern", ""))
        except ValidationFailed as exc:
            raise ValidationError(exc.message) from None
        return data


class CustomRuleInline(admin.TabularInline):  # type: ignore[type-arg]
    model = CustomRule
    form = CustomRuleForm
    extra = 1


@admin.register(Scorecard)
class ScorecardAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Shipped rules are switched and weighted in ``rules`` ({"rule_id": {"enabled": false, "weight": 20}});
    administrators add their own keyword / regular-expression rules below."""

    list_display = ("name", "is_default", "updated_at")
    readonly_fields = ("updated_at",)
    inlines = [CustomRuleInline]

    def save_model(self, request: Any, obj: Scorecard, form: Any, change: bool) -> None:
        obj.updated_at = clock.now()
        super().save_model(request, obj, form, change)


@admin.register(Inspection)
class InspectionAdmin(ReadOnlyAdmin):
    list_display = ("conversation", "kind", "agent", "team", "score", "created_at")
    list_filter = ("kind", "team")
