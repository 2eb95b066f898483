"""Factories of the cases app (orders come from contract E's models)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import factory

from kefu.aftersales.models import Order, OrderLine
from kefu.cases.models import Case, Compensation
from kefu.core import clock
from tests.factories import CustomerFactory, ShopFactory


class CaseOrderFactory(factory.django.DjangoModelFactory):
    """A paid, delivered order of ¥300 (delivered a day ago, so a no-reason return is still open)."""

    class Meta:
        model = Order

    shop = factory.SubFactory(ShopFactory, return_address="深圳市南山区科技园 8 号 售后部", phone="400-800-1234")
    customer = factory.SubFactory(CustomerFactory)
    platform_order_no = factory.Sequence(lambda n: f"TB2026{n:06d}")
    status = "delivered"
    total_amount = Decimal("300.00")
    paid_amount = Decimal("300.00")
    created_at = factory.LazyFunction(lambda: clock.now() - timedelta(days=4))
    updated_at = factory.LazyFunction(clock.now)
    paid_at = factory.LazyFunction(lambda: clock.now() - timedelta(days=4))
    delivered_at = factory.LazyFunction(lambda: clock.now() - timedelta(days=1))


class OrderLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderLine

    order = factory.SubFactory(CaseOrderFactory)
    sku = factory.Sequence(lambda n: f"SFP-{n}")
    name = "10G SFP+ 光模块"
    quantity = 2
    unit_price = Decimal("150.00")
    amount = Decimal("300.00")


class CaseFactory(factory.django.DjangoModelFactory):
    """A bare case row in any status (state-machine tests); real cases are opened by the action."""

    class Meta:
        model = Case

    order = factory.SubFactory(CaseOrderFactory)
    customer = factory.LazyAttribute(lambda o: o.order.customer)
    kind = "return_refund"
    reason = "quality"
    amount = Decimal("100.00")
    created_at = factory.LazyFunction(clock.now)
    updated_at = factory.LazyFunction(clock.now)


class CompensationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Compensation

    customer = factory.SubFactory(CustomerFactory)
    kind = "coupon"
    amount = Decimal("20.00")
    reason = "delay"
    status = "pending_approval"
    created_at = factory.LazyFunction(clock.now)
    updated_at = factory.LazyFunction(clock.now)


def order_with_chat() -> Order:
    """An order whose customer has a conversation (so compensation can be told to them)."""
    from tests.factories import ConversationFactory

    order = CaseOrderFactory()
    ConversationFactory(customer=order.customer)
    return order


def offer_compensation(actor: object, order: Order, **fields: object) -> Compensation:
    """Offer compensation for ``order`` through the action; ``fields`` override kind, amount, reason …"""
    from kefu.cases.actions import check_offer_compensation

    args: dict[str, object] = {"customer": order.customer, "reason": "delay", "order": order, **fields}
    return check_offer_compensation(actor, **args)  # type: ignore[arg-type]
