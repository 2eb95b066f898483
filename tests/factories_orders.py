"""Factories of the orders app (kefu.aftersales): orders with lines, shipments, events."""

from __future__ import annotations

from decimal import Decimal

import factory

from kefu.aftersales.choices import OrderStatus, Payment, ShipmentKind, ShipmentStatus
from kefu.aftersales.models import (
    LogisticsException,
    Order,
    OrderLine,
    ServiceOrder,
    Shipment,
    TrackingEvent,
    WarrantyReminder,
)
from kefu.core import clock
from tests.factories import CustomerFactory, ProductFactory, ShopFactory, TicketFactory


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    shop = factory.SubFactory(ShopFactory)
    customer = factory.SubFactory(CustomerFactory)
    platform_order_no = factory.Sequence(lambda n: f"TB{20260000 + n}")
    payment = Payment.ONLINE
    status = OrderStatus.PAID
    total_amount = Decimal("199.00")
    paid_amount = Decimal("199.00")
    recipient_name = "张三"
    recipient_phone = "13800138000"
    province = "广东省"
    city = "深圳市"
    address_detail = "南山区科技园 1 号"
    created_at = factory.LazyFunction(clock.now)
    updated_at = factory.LazyFunction(clock.now)
    paid_at = factory.LazyFunction(clock.now)


class CodOrderFactory(OrderFactory):
    payment = Payment.COD
    status = OrderStatus.PENDING_CONFIRMATION
    paid_amount = Decimal("0")
    paid_at = None
    cod_call_due_at = factory.LazyFunction(clock.now)


class OrderLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderLine

    order = factory.SubFactory(OrderFactory)
    product = factory.SubFactory(ProductFactory, shop=factory.SelfAttribute("..order.shop"))
    sku = factory.LazyAttribute(lambda o: o.product.sku if o.product else "SKU-X")
    name = factory.LazyAttribute(lambda o: o.product.name if o.product else "商品")
    quantity = 1
    unit_price = Decimal("199.00")
    amount = Decimal("199.00")


class ShipmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shipment

    order = factory.SubFactory(OrderFactory, status=OrderStatus.SHIPPED)
    kind = ShipmentKind.OUTBOUND
    courier = "顺丰"
    tracking_no = factory.Sequence(lambda n: f"SF{1000000 + n}")
    status = ShipmentStatus.IN_TRANSIT
    created_at = factory.LazyFunction(clock.now)
    shipped_at = factory.LazyFunction(clock.now)
    last_event_at = factory.LazyFunction(clock.now)


class TrackingEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrackingEvent

    shipment = factory.SubFactory(ShipmentFactory)
    kind = "in_transit"
    happened_at = factory.LazyFunction(clock.now)
    location = "深圳转运中心"
    created_at = factory.LazyFunction(clock.now)


class LogisticsExceptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LogisticsException

    shipment = factory.SubFactory(ShipmentFactory)
    order = factory.SelfAttribute("shipment.order")
    kind = "lost"
    opened_at = factory.LazyFunction(clock.now)
    updated_at = factory.LazyFunction(clock.now)


class ServiceOrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceOrder

    ticket = factory.SubFactory(TicketFactory, type="repair")
    kind = "repair"
    created_at = factory.LazyFunction(clock.now)
    updated_at = factory.LazyFunction(clock.now)


class WarrantyReminderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WarrantyReminder

    order_line = factory.SubFactory(OrderLineFactory)
    customer = factory.SelfAttribute("order_line.order.customer")
    kind = "warranty_expiry"
    due_on = factory.LazyFunction(lambda: clock.now().date())
    created_at = factory.LazyFunction(clock.now)


def order_body(shop_code: str, sku: str, **overrides):
    """The API body of issue 8 for one line."""
    body = {
        "shop": shop_code,
        "platform_order_no": "TB-API-1",
        "customer": {"name": "李四", "phone": "13900139000"},
        "lines": [{"sku": sku, "name": "千兆光模块", "quantity": 2, "unit_price": "59.90"}],
        "payment": "online",
        "address": {
            "name": "李四",
            "phone": "13900139000",
            "province": "浙江省",
            "city": "杭州市",
            "detail": "西湖区文三路 1 号",
        },
    }
    body.update(overrides)
    return body


def ensure_orders_defaults() -> None:
    """The shipped calendars and shipping rates, after a transactional test flushed them (idempotent)."""
    from kefu.aftersales.actions import load_default_rates
    from tests.factories import ensure_sla_defaults

    ensure_sla_defaults()
    load_default_rates(now=clock.now())
