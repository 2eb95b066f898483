"""The demo has orders in every state, parcels with exceptions, COD orders waiting, service orders
and reminders, and the delivered cooker linked to 高洁's chat."""

from __future__ import annotations

import pytest

from kefu import demo
from kefu.aftersales import selectors
from kefu.aftersales.choices import OrderStatus
from kefu.aftersales.models import LogisticsException, Order, OrderLink, ServiceOrder, WarrantyReminder

pytestmark = pytest.mark.django_db


def test_demo_orders_cover_every_state():
    # Given the demo, when it is loaded,
    assert demo.load() is True
    # then there is an order in every state,
    assert set(Order.objects.values_list("status", flat=True)) == set(OrderStatus.values)
    # parcels with every kind of exception except a wrong item, a claim running,
    kinds = set(LogisticsException.objects.values_list("kind", flat=True))
    assert {"no_movement", "delayed", "delivery_failed", "lost"} <= kinds
    assert LogisticsException.objects.filter(claim_status="filed").exists()
    # COD orders to call, refused parcels in the report, service orders and reminders,
    assert Order.objects.filter(status="pending_confirmation").count() == 2
    assert selectors.cod_refusals()["all"]["refused"] == 1
    assert set(ServiceOrder.objects.values_list("status", flat=True)) >= {"scheduled", "done", "confirmed"}
    assert WarrantyReminder.objects.exists()
    # and the cooker linked to 高洁's return inquiry.
    link = OrderLink.objects.get(conversation__subject="退货咨询")
    assert link.order.platform_order_no == "JY202611180001"
