"""Admin: shipping rates (saved through the action, audited), the settings row, and read-only
views of orders and parcels (they change through the workspace and the API)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kefu.aftersales import actions
from kefu.aftersales.models import AftersalesSettings, Order, OrderLine, Shipment, ShippingRate, TrackingEvent


@admin.register(ShippingRate)
class ShippingRateAdmin(admin.ModelAdmin):
    list_display = (
        "courier",
        "zone",
        "first_price",
        "first_weight_grams",
        "extra_price",
        "extra_unit_grams",
        "is_active",
    )
    list_filter = ("courier", "is_active")
    fields = actions.RATE_FIELDS

    def save_model(self, request: HttpRequest, obj: ShippingRate, form: Any, change: bool) -> None:
        original = ShippingRate.objects.get(pk=obj.pk) if change else None
        saved = actions.check_save_shipping_rate(
            original, actor=request.user, **{name: getattr(obj, name) for name in actions.RATE_FIELDS}
        )
        obj.pk = saved.pk


@admin.register(AftersalesSettings)
class AftersalesSettingsAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return not AftersalesSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class LineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    can_delete = False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Order)
class OrderAdmin(ReadOnly):
    list_display = ("__str__", "shop", "customer", "status", "payment", "total_amount", "created_at")
    list_filter = ("status", "payment", "shop")
    search_fields = ("platform_order_no", "tracking_no", "recipient_phone")
    inlines = [LineInline]


class EventInline(admin.TabularInline):
    model = TrackingEvent
    extra = 0
    can_delete = False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Shipment)
class ShipmentAdmin(ReadOnly):
    list_display = ("__str__", "order", "kind", "status", "last_event_at")
    list_filter = ("status", "kind", "courier")
    search_fields = ("tracking_no",)
    inlines = [EventInline]
