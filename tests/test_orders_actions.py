"""Orders, links, shipments, COD confirmation, logistics exceptions and claims, proactive
updates: the actions, their guards and their bad input."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine

from kefu.aftersales import actions, hooks, selectors
from kefu.aftersales.choices import ExceptionKind, OrderStatus
from kefu.aftersales.models import AftersalesSettings, CodCall, LogisticsException, Order, Shipment
from kefu.conversations.models import Message
from kefu.core import clock
from kefu.core.errors import Conflict, InvalidTransition, PermissionDenied, ValidationFailed
from kefu.core.events import audit_trail
from tests.factories import ConversationFactory, CustomerFactory, TicketFactory
from tests.factories_orders import (
    CodOrderFactory,
    OrderFactory,
    OrderLineFactory,
    ShipmentFactory,
    ensure_orders_defaults,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _defaults(db):
    ensure_orders_defaults()


# ---- links and canned-reply values ------------------------------------------------------------


def test_link_a_conversation_and_a_ticket_to_an_order(roles):
    # Given a customer's order, chat and ticket,
    order = OrderFactory(courier="顺丰", tracking_no="SF123")
    conversation = ConversationFactory(customer=order.customer)
    ticket = TicketFactory(customer=order.customer, conversation=conversation)
    # when the agent links the chat in one step,
    actions.check_link_order(order, actor=roles["reception"], conversation=conversation)
    # then the chat and its ticket find the order, and the canned-reply values fill from it.
    assert selectors.linked_order(conversation=conversation) == order
    assert selectors.linked_order(ticket=ticket) == order
    values = selectors.template_values(order)
    assert values["订单号"] == order.platform_order_no
    assert values["快递公司"] == "顺丰"
    assert "~" in values["预计到货"]
    # Linking another order replaces the link; unlinking removes it.
    other = OrderFactory(customer=order.customer)
    actions.check_link_order(other, actor=roles["reception"], conversation=conversation)
    assert selectors.linked_order(conversation=conversation) == other
    assert actions.check_unlink_order(actor=roles["reception"], conversation=conversation) == 1
    assert selectors.linked_order(conversation=conversation) is None
    assert audit_trail(conversation).filter(verb="order.linked").count() == 2


def test_an_order_of_another_customer_cannot_be_linked(roles):
    order = OrderFactory()
    conversation = ConversationFactory(customer=CustomerFactory())
    with pytest.raises(ValidationFailed, match="belongs to another customer"):
        actions.check_link_order(order, actor=roles["reception"], conversation=conversation)
    assert selectors.linked_order(conversation=conversation) is None
    with pytest.raises(PermissionDenied):
        actions.check_link_order(
            order, actor=roles["finance"], conversation=ConversationFactory(customer=order.customer)
        )


# ---- shipping and COD --------------------------------------------------------------------------


def test_a_cod_order_cannot_ship_before_the_buyer_confirmed(roles):
    # Given a COD order waiting for its confirmation call,
    order = CodOrderFactory()
    # when someone tries to ship it, then it is refused and nothing changed;
    with pytest.raises(Conflict, match="only after the buyer confirmed"):
        actions.check_create_shipment(roles["aftersales"], order, kind="outbound", courier="顺丰", tracking_no="SF1")
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_CONFIRMATION
    assert Shipment.objects.count() == 0
    # once confirmed by phone, it ships.
    actions.check_record_cod_call(order, "confirmed", actor=roles["reception"], note="确认收货地址")
    shipment = actions.check_create_shipment(
        roles["aftersales"], order, kind="outbound", courier="顺丰", tracking_no="SF1"
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    assert order.tracking_no == "SF1"
    assert shipment.estimated_arrival_at == order.estimated_arrival_at


def test_shipping_guards(roles):
    order = OrderFactory(status=OrderStatus.CANCELLED)
    with pytest.raises(InvalidTransition):
        actions.check_create_shipment(roles["aftersales"], order, kind="outbound", courier="顺丰", tracking_no="SF1")
    paid = OrderFactory()
    with pytest.raises(ValidationFailed, match="tracking number"):
        actions.check_create_shipment(roles["aftersales"], paid, kind="outbound", courier="顺丰", tracking_no=" ")
    with pytest.raises(PermissionDenied):
        actions.check_create_shipment(roles["finance"], paid, kind="outbound", courier="顺丰", tracking_no="SF2")
    # A return parcel on a delivered order does not move the order.
    delivered = OrderFactory(status=OrderStatus.DELIVERED)
    back = actions.check_create_shipment(
        roles["aftersales"], delivered, kind="return", courier="EMS", tracking_no="E1", carrier_kind="post"
    )
    assert back.carrier_kind == "post"
    delivered.refresh_from_db()
    assert delivered.status == OrderStatus.DELIVERED
    assert Shipment.objects.count() == 1


def test_unreachable_buyer_is_retried_then_cancelled(roles):
    # Given the rule "retry after 4 h, at most 3 calls",
    config = AftersalesSettings.load()
    config.cod_retry_hours, config.cod_max_attempts = 4, 3
    config.save()
    order = CodOrderFactory()
    start = clock.now()
    # when the buyer does not answer twice, the next call is due 4 h later each time,
    for attempt in (1, 2):
        actions.check_record_cod_call(order, "unreachable", actor=roles["reception"])
        order.refresh_from_db()
        assert order.status == OrderStatus.PENDING_CONFIRMATION
        assert order.cod_attempts == attempt
        assert order.cod_call_due_at - start >= timedelta(hours=4)
    # and the third unanswered call cancels the order.
    actions.check_record_cod_call(order, "unreachable", actor=roles["reception"])
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert CodCall.objects.filter(order=order).count() == 3
    assert audit_trail(order).filter(verb="order.cancel").get().data["cause"] == "cod_unreachable"
    # A call on an order no longer waiting is refused.
    with pytest.raises(Conflict):
        actions.check_record_cod_call(order, "confirmed", actor=roles["reception"])


def test_declined_cod_can_be_reordered_online(roles):
    order = CodOrderFactory(total_amount=Decimal("209.00"))
    OrderLineFactory(order=order)
    _same, new = actions.check_record_cod_call(order, "declined", actor=roles["sales"], reorder_online=True)
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert new is not None
    assert new.payment == "online"
    assert new.status == OrderStatus.PENDING_PAYMENT
    assert new.total_amount == Decimal("199.00")  # without the COD surcharge
    assert new.lines.count() == 1
    with pytest.raises(PermissionDenied):
        actions.check_record_cod_call(CodOrderFactory(), "confirmed", actor=roles["technician"])
    with pytest.raises(ValidationFailed):
        actions.check_record_cod_call(CodOrderFactory(), "maybe", actor=roles["sales"])


def test_refused_cod_parcels_are_reported():
    # Given COD parcels: 3 delivered, 1 refused (unconfirmed), 1 refused (confirmed),
    for status, confirmed in [("delivered", True)] * 3 + [("refused", False), ("refused", True)]:
        order = CodOrderFactory(status="shipped", cod_confirmed_at=clock.now() if confirmed else None)
        ShipmentFactory(order=order, status=status)
    ShipmentFactory(status="refused")  # an online order: not counted
    report = selectors.cod_refusals()
    assert report["all"] == {"refused": 2, "total": 5, "rate": Decimal(2) / 5}
    assert report["confirmed"]["refused"] == 1
    assert report["unconfirmed"]["total"] == 1


# ---- tracking, exceptions, claims --------------------------------------------------------------


def test_manual_entries_open_exceptions_and_delivery_calls_the_hook(roles, django_capture_on_commit_callbacks):
    shipment = ShipmentFactory()
    seen = []
    listener = hooks.on_shipment_delivered(lambda s, now: seen.append(s.pk))
    try:
        actions.check_add_tracking_entry(
            shipment, actor=roles["aftersales"], kind="delivery_failed", description="电话空号"
        )
        exc = LogisticsException.objects.get(shipment=shipment)
        assert exc.kind == ExceptionKind.DELIVERY_FAILED
        # the agent corrects the phone and asks for redelivery,
        actions.check_request_redelivery(exc, actor=roles["aftersales"], recipient_phone="13700137000", note="已改号")
        shipment.order.refresh_from_db()
        assert shipment.order.recipient_phone == "13700137000"
        assert exc.status == "redelivery"
        # and the delivery settles the exception and calls the listeners after commit.
        with django_capture_on_commit_callbacks(execute=True):
            actions.check_add_tracking_entry(shipment, actor=roles["aftersales"], kind="delivered")
        exc.refresh_from_db()
        assert exc.status == "resolved"
        assert seen == [shipment.pk]
        shipment.order.refresh_from_db()
        assert shipment.order.status == OrderStatus.DELIVERED
    finally:
        hooks._delivered.remove(listener)


def test_lost_parcel_compensate_first_then_claim_to_the_end(roles):
    shipment = ShipmentFactory()
    actions.check_add_tracking_entry(shipment, actor=roles["aftersales"], kind="lost", description="快递确认丢件")
    exc = LogisticsException.objects.get(kind="lost")
    agent = roles["aftersales"]
    # A claim before the customer was compensated is refused,
    with pytest.raises(Conflict, match="Compensate the customer first"):
        actions.check_file_claim(exc, actor=agent, claim_no="C1", amount="199")
    actions.check_record_compensation(exc, actor=agent, compensation="CP-7")
    actions.check_file_claim(exc, actor=agent, claim_no="C1", amount="199.00")
    assert (exc.status, exc.claim_status) == ("claiming", "filed")
    # the exception cannot close while the claim runs,
    with pytest.raises(Conflict):
        actions.check_resolve_exception(exc, actor=agent, resolution="结案")
    actions.check_claim_outcome(exc, "accept", actor=agent)
    actions.check_claim_outcome(exc, "pay", actor=agent)
    actions.check_resolve_exception(exc, actor=agent, resolution="快递已赔付 199 元")
    exc.refresh_from_db()
    assert exc.status == "resolved"
    assert exc.claim_status == "paid"
    assert exc.claim_closed_at is not None
    with pytest.raises(PermissionDenied):
        actions.check_resolve_exception(exc, actor=roles["reception"], resolution="x")
    with pytest.raises(ValidationFailed):
        actions.check_file_claim(
            actions.check_flag_exception(shipment, "wrong_item", actor=agent),
            actor=agent,
            claim_no="C2",
            amount="-3",
        )


def test_sweeper_flags_no_movement_and_delay_once_and_tells_the_customer(roles):
    # Given a parcel last seen 4 days ago, past its estimate, a customer with a chat,
    now = clock.now()
    order = OrderFactory(status="shipped", estimated_arrival_at=now - timedelta(hours=1))
    conversation = ConversationFactory(customer=order.customer)
    shipment = ShipmentFactory(order=order, last_event_at=now - timedelta(days=4))
    # when the sweeper runs twice,
    first = actions.sweep_shipments(now)
    second = actions.sweep_shipments(now + timedelta(minutes=1))
    # then both flags open once, and the customer got one delay message.
    assert first == 2
    assert second == 0
    assert set(LogisticsException.objects.values_list("kind", flat=True)) == {"no_movement", "delayed"}
    bot = Message.objects.filter(conversation=conversation, author_kind="bot")
    assert bot.count() == 1
    assert shipment.tracking_no in bot.get().text
    # A new event settles "no movement".
    actions.check_add_tracking_entry(
        shipment, actor=roles["aftersales"], kind="in_transit", happened_at=now + timedelta(hours=2)
    )
    assert not LogisticsException.objects.filter(kind="no_movement").exclude(status="resolved").exists()


def test_send_tracking_update_in_one_click(roles):
    order = OrderFactory(status="shipped")
    conversation = ConversationFactory(customer=order.customer)
    shipment = ShipmentFactory(order=order)
    actions.check_add_tracking_entry(shipment, actor=roles["aftersales"], kind="in_transit", location="杭州转运中心")
    message = actions.check_send_tracking_update(shipment, actor=roles["reception"])
    assert message.conversation == conversation
    assert message.author_kind == "agent"
    assert "杭州转运中心" in message.text
    lonely = ShipmentFactory()
    with pytest.raises(ValidationFailed, match="no conversation"):
        actions.check_send_tracking_update(lonely, actor=roles["reception"])
    with pytest.raises(PermissionDenied):
        actions.check_send_tracking_update(shipment, actor=roles["finance"])


def test_delivery_rule_sends_the_update_when_switched_on(roles):
    config = AftersalesSettings.load()
    config.notify_on_delivery = True
    config.save()
    order = OrderFactory(status="shipped")
    conversation = ConversationFactory(customer=order.customer)
    shipment = ShipmentFactory(order=order)
    actions.check_add_tracking_entry(shipment, actor=None or roles["aftersales"], kind="delivered")
    assert Message.objects.filter(conversation=conversation, author_kind="bot").count() == 1


def test_address_correction_bad_input_changes_nothing(roles):
    order = OrderFactory()
    with pytest.raises(ValidationFailed):
        actions.check_update_address(order, actor=roles["aftersales"], recipient_phone="not-a-phone")
    with pytest.raises(ValidationFailed):
        actions.check_update_address(order, actor=roles["aftersales"], total_amount="0")
    order.refresh_from_db()
    assert order.recipient_phone == "13800138000"


def test_order_estimate_is_stored_and_follows_payment(roles):
    with time_machine.travel("2025-09-30 02:00:00+00:00", tick=False):
        order = Order.objects.get(
            pk=actions.check_create_order(
                {
                    "shop": OrderLineFactory().order.shop.code,
                    "platform_order_no": "N1",
                    "customer": {"name": "王", "phone": "13600136000"},
                    "lines": [
                        {"sku": OrderLineFactory._meta.model.objects.first().sku, "quantity": 1, "unit_price": "10"}
                    ],
                    "payment": "online",
                    "address": {
                        "name": "王",
                        "phone": "13600136000",
                        "province": "北京",
                        "city": "北京",
                        "detail": "x",
                    },
                },
                actor=roles["reception"],
            ).pk
        )
    tz = selectors.calendar().tz
    assert order.estimated_ship_at.astimezone(tz).date().isoformat() == "2025-10-11"
    assert order.estimated_arrival_at.astimezone(tz).date().isoformat() == "2025-10-16"
