"""Reading an order from outside (the API body, an import row group, the new-order form) into
checked values; every problem is a :class:`ValidationFailed` that names the field."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from kefu.aftersales.choices import OrderStatus, Payment
from kefu.core import params
from kefu.core.errors import ValidationFailed
from kefu.customers.choices import IdentityKind
from kefu.customers.identities import normalise
from kefu.shops.models import Product, Shop

MAX_LINES = 200
MAX_AMOUNT = Decimal("9999999999.99")


@dataclass
class LineInput:
    product: Product
    sku: str
    name: str
    quantity: int
    unit_price: Decimal

    @property
    def amount(self) -> Decimal:
        return (self.unit_price * self.quantity).quantize(Decimal("0.01"))


@dataclass
class OrderInput:
    shop: Shop
    platform_order_no: str
    customer_name: str
    customer_phone: str
    payment: str
    recipient_name: str
    recipient_phone: str
    province: str
    city: str
    address_detail: str
    lines: list[LineInput] = field(default_factory=list)
    status: str = ""
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None
    note: str = ""

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0"))


def money(value: Any, label: str) -> Decimal:
    """A decimal string (or number) in yuan, at most 2 decimals, not negative."""
    if isinstance(value, bool) or value is None or (isinstance(value, str) and not value.strip()):
        raise ValidationFailed(_("%(field)s: an amount is required.") % {"field": label}, field=label)
    try:
        amount = Decimal(str(value).strip().replace(",", "").removeprefix("¥").removeprefix("￥"))
    except InvalidOperation:
        raise ValidationFailed(
            _("%(field)s: “%(value)s” is not an amount in yuan.") % {"field": label, "value": value}, field=label
        ) from None
    if not amount.is_finite():
        raise ValidationFailed(
            _("%(field)s: “%(value)s” is not an amount in yuan.") % {"field": label, "value": value}, field=label
        )
    if amount < 0:
        raise ValidationFailed(_("%(field)s: an amount cannot be negative.") % {"field": label}, field=label)
    if amount > MAX_AMOUNT:  # before quantize(), which fails on "1e30"
        raise ValidationFailed(_("%(field)s: the amount is too large.") % {"field": label}, field=label)
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationFailed(_("%(field)s: at most 2 decimals (fen).") % {"field": label}, field=label)
    return amount


def text(data: dict[str, Any], key: str, label: str, *, max_length: int, required: bool = True) -> str:
    value = data.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str | int):
        raise ValidationFailed(_("%(field)s must be text.") % {"field": label}, field=label)
    value = str(value).strip()
    if required and not value:
        raise ValidationFailed(_("%(field)s is required.") % {"field": label}, field=label)
    if len(value) > max_length:
        raise ValidationFailed(
            _("%(field)s has at most %(n)d characters.") % {"field": label, "n": max_length}, field=label
        )
    return value


def phone(value: str, label: str) -> str:
    try:
        return normalise(IdentityKind.PHONE, value)
    except ValidationFailed as exc:
        raise ValidationFailed(f"{label}: {exc.message}", field=label) from None


def moment(value: Any, label: str) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        parsed = parse_datetime(value) if isinstance(value, str) else value if isinstance(value, datetime) else None
    except ValueError:  # well formed but impossible: 2026-02-30, hour 25
        parsed = None
    if parsed is None:
        raise ValidationFailed(
            _("%(field)s: “%(value)s” is not an ISO-8601 time.") % {"field": label, "value": value}, field=label
        )
    if parsed.tzinfo is None:
        raise ValidationFailed(_("%(field)s needs a time zone, e.g. +08:00.") % {"field": label}, field=label)
    return params.moment(parsed.isoformat(), field=label)  # sane years and offsets


def _mapping(value: Any, label: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValidationFailed(_("%(field)s must be an object.") % {"field": label}, field=label)
    return value


def parse_line(shop: Shop, raw: Any, index: int) -> LineInput:
    label = _("Line %(n)d") % {"n": index}
    item = _mapping(raw, label)
    sku = text(item, "sku", f"{label} SKU", max_length=60)
    product = Product.objects.filter(shop=shop, sku=sku).first()
    if product is None:
        raise ValidationFailed(
            _("%(line)s: the shop “%(shop)s” has no product with SKU “%(sku)s”.")
            % {"line": label, "shop": shop.code, "sku": sku},
            field="sku",
        )
    quantity = item.get("quantity", 1)
    if isinstance(quantity, bool) or not (
        isinstance(quantity, int) or (isinstance(quantity, str) and params.is_digits(quantity.strip()))
    ):
        raise ValidationFailed(_("%(line)s: the quantity must be a whole number.") % {"line": label}, field="quantity")
    quantity = int(quantity)
    if not 1 <= quantity <= 100000:
        raise ValidationFailed(_("%(line)s: the quantity must be at least 1.") % {"line": label}, field="quantity")
    name = text(item, "name", f"{label} name", max_length=120, required=False) or product.name
    unit_price = money(item.get("unit_price"), f"{label} unit_price")
    return LineInput(product=product, sku=sku, name=name, quantity=quantity, unit_price=unit_price)


def parse_order(data: Any) -> OrderInput:
    """The API body of ``POST /api/v1/orders`` (the import and the form produce the same shape)."""
    if not isinstance(data, dict):
        raise ValidationFailed(_("The order must be a JSON object."))
    code = text(data, "shop", "shop", max_length=40)
    shop = Shop.objects.filter(code=code).first()
    if shop is None:
        raise ValidationFailed(_("Unknown shop “%(code)s”.") % {"code": code}, field="shop")
    customer = _mapping(data.get("customer"), "customer")
    address = _mapping(data.get("address"), "address")
    payment = str(data.get("payment") or Payment.ONLINE)
    if payment not in Payment.values:
        raise ValidationFailed(_("payment must be “online” or “cod”."), field="payment")
    status = str(data.get("status") or "")
    if status and status not in OrderStatus.values:
        raise ValidationFailed(
            _("Unknown status “%(status)s”; one of: %(choices)s.")
            % {"status": status, "choices": ", ".join(OrderStatus.values)},
            field="status",
        )
    raw_lines = data.get("lines")
    if not isinstance(raw_lines, list) or not raw_lines:
        raise ValidationFailed(_("An order needs at least one line."), field="lines")
    if len(raw_lines) > MAX_LINES:
        raise ValidationFailed(_("An order has at most %(n)d lines.") % {"n": MAX_LINES}, field="lines")
    customer_phone = phone(text(customer, "phone", "customer.phone", max_length=30), "customer.phone")
    order = OrderInput(
        shop=shop,
        platform_order_no=text(data, "platform_order_no", "platform_order_no", max_length=64, required=False),
        customer_name=text(customer, "name", "customer.name", max_length=80, required=False),
        customer_phone=customer_phone,
        payment=payment,
        recipient_name=text(address, "name", "address.name", max_length=60),
        recipient_phone=phone(text(address, "phone", "address.phone", max_length=30), "address.phone"),
        province=text(address, "province", "address.province", max_length=30),
        city=text(address, "city", "address.city", max_length=30),
        address_detail=text(address, "detail", "address.detail", max_length=200),
        lines=[parse_line(shop, raw, i) for i, raw in enumerate(raw_lines, start=1)],
        status=status,
        shipped_at=moment(data.get("shipped_at"), "shipped_at"),
        delivered_at=moment(data.get("delivered_at"), "delivered_at"),
        note=text(data, "note", "note", max_length=300, required=False),
    )
    if order.total > MAX_AMOUNT:
        raise ValidationFailed(_("The order total is too large."), field="lines")
    return order
