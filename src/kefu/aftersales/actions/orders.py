"""Writes to orders: creation (API, workspace, import), the address, the order's state machine, and its
links to conversations and tickets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kefu.aftersales import selectors as sel
from kefu.aftersales.actions.service import do_create_warranty_reminders
from kefu.aftersales.choices import (
    OrderStatus,
    Payment,
)
from kefu.aftersales.estimate import at_end_of_day
from kefu.aftersales.models import (
    Order,
    OrderLine,
    OrderLink,
)
from kefu.aftersales.orders_input import OrderInput, parse_order, text
from kefu.aftersales.transitions import order_machine
from kefu.core import clock
from kefu.core.actions import action, require
from kefu.core.errors import Conflict, ValidationFailed
from kefu.core.events import record_audit
from kefu.core.records import save_changes

# ---- orders -----------------------------------------------------------------------------------


def _initial_status(data: OrderInput) -> str:
    if data.status:
        return data.status
    if data.delivered_at:
        return OrderStatus.DELIVERED
    if data.shipped_at:
        return OrderStatus.SHIPPED
    return OrderStatus.PENDING_CONFIRMATION if data.payment == Payment.COD else OrderStatus.PAID


def _stamps(status: str, data: OrderInput, now: datetime) -> dict[str, Any]:
    """The time columns an order synchronised in ``status`` has (its own times when given)."""
    reached = {
        OrderStatus.PAID: 1,
        OrderStatus.CONFIRMED: 1,
        OrderStatus.SHIPPED: 2,
        OrderStatus.DELIVERED: 3,
        OrderStatus.COMPLETED: 4,
    }.get(OrderStatus(status), 0)
    shipped = data.shipped_at or (now if reached >= 2 else None)
    delivered = data.delivered_at or (now if reached >= 3 else None)
    stamps: dict[str, Any] = {
        "shipped_at": shipped,
        "delivered_at": delivered,
        "completed_at": now if reached >= 4 else None,
        "cancelled_at": now if status == OrderStatus.CANCELLED else None,
    }
    cod = data.payment == Payment.COD
    if reached >= 1 and cod:
        stamps["cod_confirmed_at"] = now
    if (reached >= 1 and not cod) or (reached >= 3 and cod):
        stamps["paid_at"] = now
        stamps["paid_amount"] = data.total
    return stamps


def find_or_create_customer(name: str, phone: str, *, now: datetime) -> Any:
    from kefu.customers.actions import do_find_or_create_by_identity
    from kefu.customers.choices import IdentityKind

    customer, _created = do_find_or_create_by_identity(
        IdentityKind.PHONE, phone, now=now, defaults={"name": name} if name else None
    )
    return customer


def do_create_order(data: OrderInput, *, actor: Any, now: datetime, source: str, customer: Any = None) -> Order:
    """Create the order, its lines and its dispatch estimate. A second order with the same
    platform order number in the same shop is a :class:`Conflict` (409) naming the first."""
    if data.platform_order_no:
        existing = Order.objects.filter(shop=data.shop, platform_order_no=data.platform_order_no).first()
        if existing is not None:
            raise _duplicate(existing)
    status = _initial_status(data)
    try:
        with transaction.atomic():
            customer = customer or find_or_create_customer(data.customer_name, data.customer_phone, now=now)
            order = Order.objects.create(
                shop=data.shop,
                customer=customer,
                platform_order_no=data.platform_order_no,
                payment=data.payment,
                status=status,
                total_amount=data.total,
                recipient_name=data.recipient_name,
                recipient_phone=data.recipient_phone,
                province=data.province,
                city=data.city,
                address_detail=data.address_detail,
                note=data.note,
                source=source,
                created_at=now,
                updated_at=now,
                cod_call_due_at=now if status == OrderStatus.PENDING_CONFIRMATION else None,
                **_stamps(status, data, now),
            )
            OrderLine.objects.bulk_create(
                OrderLine(
                    order=order,
                    product=line.product,
                    sku=line.sku,
                    name=line.name,
                    quantity=line.quantity,
                    unit_price=line.unit_price,
                    amount=line.amount,
                )
                for line in data.lines
            )
            _set_estimate(order, now)
            order.save(update_fields=["estimated_ship_at", "estimated_arrival_at"])
            record_audit(order, "order.created", actor=actor, now=now, to_state=status, data={"source": source})
            if status in (OrderStatus.DELIVERED, OrderStatus.COMPLETED):
                _after_delivery(order, now)
    except IntegrityError:  # a concurrent request stored the same platform order number first
        existing = Order.objects.filter(shop=data.shop, platform_order_no=data.platform_order_no).first()
        if existing is None:
            raise
        raise _duplicate(existing) from None
    return order


def _after_delivery(order: Order, now: datetime) -> None:
    """A delivered order starts its warranty reminders."""
    do_create_warranty_reminders(order, now=now)


def _duplicate(existing: Order) -> Conflict:
    return Conflict(
        _("The shop already has order %(number)s (id %(id)d); it was not created twice.")
        % {"number": existing.number, "id": existing.pk},
        order=existing.pk,
    )


@action("aftersales.add_order")
def check_create_order(data: Any, *, actor: Any, source: str = "api", customer: Any = None) -> Order:
    """``data`` is the API body (see :func:`kefu.aftersales.orders_input.parse_order`)."""
    return do_create_order(parse_order(data), actor=actor, now=clock.now(), source=source, customer=customer)


def _set_estimate(order: Order, now: datetime) -> None:
    if order.status == OrderStatus.CANCELLED:
        return
    cal = sel.calendar()
    e = sel.estimate_for(order, now=now)
    order.estimated_ship_at = at_end_of_day(cal, e.ship_by)
    order.estimated_arrival_at = at_end_of_day(cal, e.arrive_by)


ADDRESS_FIELDS = ("recipient_name", "recipient_phone", "province", "city", "address_detail")


def clean_address(fields: dict[str, Any]) -> dict[str, str]:
    from kefu.aftersales.orders_input import phone

    labels = {
        "recipient_name": _("Recipient"),
        "recipient_phone": _("Recipient phone"),
        "province": _("Province"),
        "city": _("City"),
        "address_detail": _("Address"),
    }
    limits = {"recipient_name": 60, "recipient_phone": 30, "province": 30, "city": 30, "address_detail": 200}
    unknown = set(fields) - set(ADDRESS_FIELDS)
    if unknown:
        raise ValidationFailed(_("These fields cannot be changed here: %(fields)s") % {"fields": ", ".join(unknown)})
    clean = {name: text(fields, name, str(labels[name]), max_length=limits[name]) for name in fields}
    if "recipient_phone" in clean:
        clean["recipient_phone"] = phone(clean["recipient_phone"], str(labels["recipient_phone"]))
    return clean


@action("aftersales.change_order")
def check_update_address(order: Order, *, actor: Any, **fields: Any) -> Order:
    """Correct the shipping address or phone (a failed delivery, R23)."""
    clean = clean_address(fields)
    if order.status in (OrderStatus.DELIVERED, OrderStatus.COMPLETED, OrderStatus.CANCELLED):
        raise Conflict(_("The address of a delivered, completed or cancelled order cannot change."))
    save_changes(order, clean, actor=actor, now=clock.now(), verb="order.address_changed")
    return order


def do_transition_order(
    order: Order, event: str, *, actor: Any, now: datetime, data: dict[str, Any] | None = None, **updates: Any
) -> Order:
    with transaction.atomic():
        order_machine.transition(order, event, actor=actor, now=now, updates=updates, data=data)
        if event in ("pay", "cod_confirm", "ship"):
            _set_estimate(order, now)
            order.save(update_fields=["estimated_ship_at", "estimated_arrival_at"])
    return order


ORDER_EVENT_PERMISSION = {
    "pay": "aftersales.change_order",
    "cancel": "aftersales.change_order",
    "complete": "aftersales.change_order",
}


@action("aftersales.change_order")
def check_transition_order(order: Order, event: str, *, actor: Any, reason: str = "") -> Order:
    """The plain steps an agent takes on an order (mark paid, cancel, complete); shipping,
    delivery and COD outcomes have their own actions."""
    if event not in ORDER_EVENT_PERMISSION:
        raise ValidationFailed(_("Unknown action “%(event)s”.") % {"event": event})
    require(actor, ORDER_EVENT_PERMISSION[event])
    now = clock.now()
    updates: dict[str, Any] = {}
    if event == "pay":
        updates["paid_amount"] = order.total_amount
    return do_transition_order(
        order, event, actor=actor, now=now, data={"reason": reason} if reason else None, **updates
    )


# ---- links to conversations and tickets ---------------------------------------------------------


def do_link_order(
    order: Order, *, actor: Any, now: datetime, conversation: Any = None, ticket: Any = None
) -> OrderLink:
    if conversation is None and ticket is None:
        raise ValidationFailed(_("Link the order to a conversation or a ticket."))
    for subject in (conversation, ticket):
        if subject is not None and subject.customer_id != order.customer_id:
            raise ValidationFailed(
                _("Order %(number)s belongs to another customer.") % {"number": order.number}, field="order"
            )
    with transaction.atomic():
        link = None
        for name, subject in (("conversation", conversation), ("ticket", ticket)):
            if subject is None:
                continue
            link, _created = OrderLink.objects.update_or_create(
                **{name: subject},
                defaults={
                    "order": order,
                    "created_by": actor if getattr(actor, "pk", None) else None,
                    "created_at": now,
                },
            )
            record_audit(
                subject, "order.linked", actor=actor, now=now, data={"order": order.pk, "number": order.number}
            )
    if link is None:  # pragma: no cover - one of the two was given (checked above)
        raise ValidationFailed(_("Link the order to a conversation or a ticket."))
    return link


@action("aftersales.link_order")
def check_link_order(order: Order, *, actor: Any, conversation: Any = None, ticket: Any = None) -> OrderLink:
    return do_link_order(order, actor=actor, now=clock.now(), conversation=conversation, ticket=ticket)


@action("aftersales.link_order")
def check_unlink_order(*, actor: Any, conversation: Any = None, ticket: Any = None) -> int:
    now = clock.now()
    removed = 0
    with transaction.atomic():
        for name, subject in (("conversation", conversation), ("ticket", ticket)):
            if subject is None:
                continue
            deleted, _rows = OrderLink.objects.filter(**{name: subject}).delete()
            if deleted:
                record_audit(subject, "order.unlinked", actor=actor, now=now)
                removed += deleted
    return removed


# ---- import (CSV / XLSX) ------------------------------------------------------------------------


@dataclass
class ImportResult:
    created: list[Order]
    errors: list[tuple[str, str]]  # (order number, reason): refused at import time (e.g. a race)


@action("aftersales.import_orders")
def check_import_orders(bodies: list[dict[str, Any]], *, actor: Any) -> ImportResult:
    """Import the orders a preview found good; each is its own transaction, so one that turned
    bad since the preview (imported meanwhile) is reported and the others still import."""
    from kefu.core.errors import KefuError

    if not isinstance(bodies, list) or len(bodies) > 5000:
        raise ValidationFailed(_("Nothing to import."))
    result = ImportResult(created=[], errors=[])
    now = clock.now()
    for body in bodies:
        try:
            result.created.append(do_create_order(parse_order(body), actor=actor, now=now, source="import"))
        except KefuError as exc:
            number = str(body.get("platform_order_no") or "—") if isinstance(body, dict) else "—"
            result.errors.append((number, str(exc.message)))
    return result
