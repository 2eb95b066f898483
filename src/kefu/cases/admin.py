from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kefu.cases.models import Case, CaseSettings, Compensation, CompensationApproval, ReasonRule
from kefu.core.admin import ReadOnlyAdmin


@admin.register(CaseSettings)
class CaseSettingsAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """The marketplace's numbers (one row): deadlines, warning lead time, compensation limit."""

    list_display = (
        "__str__",
        "seller_respond_days",
        "buyer_ship_days",
        "confirm_express_days",
        "confirm_post_days",
        "warn_hours",
        "compensation_limit",
        "compensation_window_days",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not CaseSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ReasonRule)
class ReasonRuleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Per reason: who pays the return postage, whether evidence photos are required."""

    list_display = ("reason", "postage_payer", "photos_required")
    list_editable = ("postage_payer", "photos_required")


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "reason", "status", "amount", "order", "customer", "owner", "due_at")
    list_filter = ("kind", "status", "reason")


@admin.register(Compensation)
class CompensationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "customer", "order", "kind", "amount", "reason", "status")
    list_filter = ("kind", "status")


@admin.register(CompensationApproval)
class CompensationApprovalAdmin(ReadOnlyAdmin):
    list_display = ("approved_at", "compensation", "approved_by", "amount", "window_sum", "limit", "window_days")
