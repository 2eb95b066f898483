"""Documentation-only bodies of the orders API: the views parse these themselves through an
explicit schema (:mod:`kefu.aftersales.orders_input`); these classes only publish the shape."""

from __future__ import annotations

from ninja import Field, Schema


class OrderCustomerIn(Schema):
    phone: str = Field(max_length=30)
    name: str = Field("", max_length=80)


class OrderAddressIn(Schema):
    name: str = Field(max_length=60)
    phone: str = Field(max_length=30)
    province: str = Field(max_length=30)
    city: str = Field(max_length=30)
    detail: str = Field(max_length=200)


class OrderLineIn(Schema):
    sku: str
    quantity: int = Field(1, ge=1)
    unit_price: str | None = Field(None, description='yuan, e.g. "59.90"')
    name: str = ""


class OrderCreateIn(Schema):
    shop: str = Field(max_length=40)
    platform_order_no: str = Field("", max_length=64)
    customer: OrderCustomerIn
    address: OrderAddressIn
    lines: list[OrderLineIn] = Field(min_length=1)
    payment: str = Field("online", description="online | cod")
    status: str = ""
    shipped_at: str | None = Field(None, description="ISO-8601 with a zone")
    delivered_at: str | None = Field(None, description="ISO-8601 with a zone")
    note: str = Field("", max_length=300)


class QuoteLineIn(Schema):
    sku: str
    quantity: int = Field(1, ge=1)


class ShippingQuoteIn(Schema):
    """``weight_grams`` or ``lines`` (with an optional ``shop``) and the destination ``province``."""

    province: str
    weight_grams: int | None = Field(None, ge=1, le=1_000_000)
    lines: list[QuoteLineIn] | None = None
    shop: str | None = None
    courier: str = ""


class ShipmentEventIn(Schema):
    kind: str = Field("", description="kefu's kind or the courier's words (e.g. 已签收); or status")
    status: str = ""
    time: str = Field(description="ISO-8601 with a zone")
    location: str = ""
    description: str = ""
    id: str = Field("", description="the courier's event id; a resent id is stored once")


class ShipmentEventsIn(Schema):
    """One event object, or ``{"events": [...]}``."""

    events: list[ShipmentEventIn] | None = None
