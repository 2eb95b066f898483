"""Writes to orders, links, shipments and tracking, and COD confirmation (contract E).

Logistics exceptions and courier claims are in :mod:`kefu.aftersales.logistics_actions`,
service orders and warranty reminders in :mod:`kefu.aftersales.service_actions`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings as django_settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from kefu.aftersales import hooks
from kefu.aftersales import selectors as sel
from kefu.aftersales.choices import (
    CarrierKind,
    CodOutcome,
    ExceptionKind,
    OrderStatus,
    Payment,
    ShipmentKind,
    ShipmentStatus,
    TrackingEventKind,
    TrackingSource,
)
from kefu.aftersales.estimate import at_end_of_day
from kefu.aftersales.models import (
    AftersalesSettings,
    CodCall,
    Order,
    OrderLine,
    OrderLink,
    Shipment,
    ShippingRate,
    TrackingEvent,
)
from kefu.aftersales.orders_input import OrderInput, parse_order, text
from kefu.aftersales.transitions import order_machine
from kefu.core import clock, params
from kefu.core.actions import ACTIONS, ActionSpec, action, require
from kefu.core.errors import Conflict, NotFound, ValidationFailed
from kefu.core.events import publish_on_commit, record_audit
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


# ---- shipments and tracking ----------------------------------------------------------------------


def clean_shipment(courier: str, tracking_no: str, kind: str, carrier_kind: str) -> tuple[str, str]:
    courier = (courier or "").strip()
    tracking_no = (tracking_no or "").strip()
    if not courier or len(courier) > 40:
        raise ValidationFailed(_("Name the courier (at most 40 characters)."), field="courier")
    if not tracking_no or len(tracking_no) > 60:
        raise ValidationFailed(_("Enter the tracking number (at most 60 characters)."), field="tracking_no")
    if kind not in ShipmentKind.values:
        raise ValidationFailed(_("Unknown shipment kind “%(kind)s”.") % {"kind": kind}, field="kind")
    if carrier_kind not in CarrierKind.values:
        raise ValidationFailed(_("carrier_kind must be “express” or “post”."), field="carrier_kind")
    return courier, tracking_no


def do_create_shipment(
    order: Order,
    *,
    kind: str,
    courier: str,
    tracking_no: str,
    carrier_kind: str = CarrierKind.EXPRESS,
    actor: Any,
    now: datetime,
) -> Shipment:
    courier, tracking_no = clean_shipment(courier, tracking_no, kind, carrier_kind)
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if kind == ShipmentKind.OUTBOUND:
            if locked.status == OrderStatus.PENDING_CONFIRMATION:
                raise Conflict(
                    _("Cash on delivery: order %(number)s ships only after the buyer confirmed it by phone.")
                    % {"number": locked.number},
                    state=locked.status,
                )
            order_machine.target(locked.status, "ship")  # refuses a cancelled, unpaid or shipped order
        shipment = Shipment.objects.create(
            order=locked,
            kind=kind,
            courier=courier,
            carrier_kind=carrier_kind,
            tracking_no=tracking_no,
            status=ShipmentStatus.CREATED,
            created_at=now,
            shipped_at=now,
            last_event_at=now,
        )
        record_audit(
            locked,
            "order.shipment_created",
            actor=actor,
            now=now,
            data={"shipment": shipment.pk, "kind": kind, "courier": courier, "tracking_no": tracking_no},
        )
        if kind == ShipmentKind.OUTBOUND:
            do_transition_order(
                locked, "ship", actor=actor, now=now, courier=courier, tracking_no=tracking_no, shipped_at=now
            )
            shipment.estimated_arrival_at = locked.estimated_arrival_at
            shipment.save(update_fields=["estimated_arrival_at"])
    for name in (
        "status",
        "courier",
        "tracking_no",
        "shipped_at",
        "estimated_ship_at",
        "estimated_arrival_at",
        "updated_at",
    ):
        setattr(order, name, getattr(locked, name))
    return shipment


def check_create_shipment(
    actor: Any,
    order: Order,
    *,
    kind: str = ShipmentKind.OUTBOUND,
    courier: str,
    tracking_no: str,
    carrier_kind: str = CarrierKind.EXPRESS,
    now: datetime | None = None,
) -> Shipment:
    """Contract E's signature (``actor`` first, positional): a parcel of ``order`` — outbound
    (ships the order), a customer's return, or a replacement."""
    require(actor, "aftersales.ship_order")
    return do_create_shipment(
        order,
        kind=kind,
        courier=courier,
        tracking_no=tracking_no,
        carrier_kind=carrier_kind,
        actor=actor,
        now=now or clock.now(),
    )


ACTIONS["aftersales.check_create_shipment"] = ActionSpec("aftersales.check_create_shipment", "aftersales.ship_order")
check_create_shipment.spec = ACTIONS["aftersales.check_create_shipment"]  # type: ignore[attr-defined]


@dataclass(frozen=True)
class TrackingUpdate:
    """One tracking event, as a courier adapter or an agent reports it."""

    kind: str
    happened_at: datetime
    location: str = ""
    description: str = ""
    external_id: str = ""


STATUS_AFTER: dict[str, str] = {
    TrackingEventKind.PICKED_UP: ShipmentStatus.IN_TRANSIT,
    TrackingEventKind.IN_TRANSIT: ShipmentStatus.IN_TRANSIT,
    TrackingEventKind.OUT_FOR_DELIVERY: ShipmentStatus.OUT_FOR_DELIVERY,
    TrackingEventKind.DELIVERED: ShipmentStatus.DELIVERED,
    TrackingEventKind.DELIVERY_FAILED: ShipmentStatus.DELIVERY_FAILED,
    TrackingEventKind.REFUSED: ShipmentStatus.REFUSED,
    TrackingEventKind.RETURNED: ShipmentStatus.RETURNED,
    TrackingEventKind.LOST: ShipmentStatus.LOST,
}
FINAL_SHIPMENT_STATES = frozenset({ShipmentStatus.DELIVERED, ShipmentStatus.REFUSED, ShipmentStatus.RETURNED})
EXCEPTION_OF_EVENT: dict[str, str] = {
    TrackingEventKind.DELIVERY_FAILED: ExceptionKind.DELIVERY_FAILED,
    TrackingEventKind.WRONG_ITEM: ExceptionKind.WRONG_ITEM,
    TrackingEventKind.LOST: ExceptionKind.LOST,
}


def clean_update(raw: Any) -> TrackingUpdate:
    from kefu.aftersales.orders_input import moment

    if not isinstance(raw, dict):
        raise ValidationFailed(_("Each event must be an object."))
    kind = str(raw.get("kind") or raw.get("status") or "")
    if kind not in TrackingEventKind.values:
        raise ValidationFailed(
            _("Unknown tracking event “%(kind)s”; one of: %(choices)s.")
            % {"kind": kind, "choices": ", ".join(TrackingEventKind.values)},
            field="kind",
        )
    at = moment(raw.get("time") or raw.get("happened_at"), "time")
    if at is None:
        raise ValidationFailed(_("Each event needs its time."), field="time")
    return TrackingUpdate(
        kind=kind,
        happened_at=at,
        location=text(raw, "location", "location", max_length=80, required=False),
        description=text(raw, "description", "description", max_length=300, required=False),
        external_id=text(raw, "id", "id", max_length=80, required=False),
    )


def do_add_tracking(
    shipment: Shipment,
    updates: Iterable[TrackingUpdate],
    *,
    source: str,
    actor: Any,
    now: datetime,
) -> list[TrackingEvent]:
    """Store tracking events (a courier's resent event, same id, is stored once), move the
    shipment's status, open the exceptions they reveal, deliver the order."""
    from kefu.aftersales.logistics_actions import do_open_exception, resolve_moving_exceptions

    stored: list[TrackingEvent] = []
    with transaction.atomic():
        locked = Shipment.objects.select_for_update().select_related("order").get(pk=shipment.pk)
        seen = set(locked.events.exclude(external_id="").values_list("external_id", flat=True))
        for update in sorted(updates, key=lambda u: u.happened_at):
            if update.external_id and update.external_id in seen:
                continue
            seen.add(update.external_id)
            stored.append(
                TrackingEvent.objects.create(
                    shipment=locked,
                    kind=update.kind,
                    happened_at=update.happened_at,
                    location=update.location,
                    description=update.description,
                    source=source,
                    external_id=update.external_id,
                    created_by=actor if getattr(actor, "pk", None) else None,
                    created_at=now,
                )
            )
        for event in stored:
            _apply_event(locked, event, actor=actor, now=now)
            if event.kind in EXCEPTION_OF_EVENT:
                do_open_exception(
                    locked, EXCEPTION_OF_EVENT[event.kind], detail=event.description, actor=actor, now=now
                )
        if stored:
            resolve_moving_exceptions(locked, now=now)
            locked.save(update_fields=["status", "last_event_at", "delivered_at"])
    shipment.status, shipment.last_event_at, shipment.delivered_at = (
        locked.status,
        locked.last_event_at,
        locked.delivered_at,
    )
    return stored


def _apply_event(shipment: Shipment, event: TrackingEvent, *, actor: Any, now: datetime) -> None:
    if event.kind == TrackingEventKind.NOTE:
        return
    if event.kind != TrackingEventKind.WRONG_ITEM:
        shipment.last_event_at = max(filter(None, [shipment.last_event_at, event.happened_at]))
    target = STATUS_AFTER.get(event.kind)
    if target is None or shipment.status in FINAL_SHIPMENT_STATES:
        return
    shipment.status = target
    order = shipment.order
    if target == ShipmentStatus.DELIVERED:
        shipment.delivered_at = event.happened_at
        if shipment.kind == ShipmentKind.OUTBOUND and order_machine.can(order.status, "deliver"):
            updates: dict[str, Any] = {"delivered_at": event.happened_at}
            if order.payment == Payment.COD:  # the courier collected the money at the door
                updates.update(paid_at=event.happened_at, paid_amount=order.total_amount)
            do_transition_order(order, "deliver", actor=actor, now=now, **updates)
            _after_delivery(order, now)
            _auto_notify_delivered(shipment, now)
        publish_on_commit(lambda: hooks.shipment_delivered(shipment, now))
    elif (
        target == ShipmentStatus.REFUSED
        and shipment.kind == ShipmentKind.OUTBOUND
        and order_machine.can(order.status, "refuse")
    ):
        do_transition_order(order, "refuse", actor=actor, now=now, data={"cause": "refused_at_door"})


def _after_delivery(order: Order, now: datetime) -> None:
    from kefu.aftersales.service_actions import do_create_warranty_reminders

    do_create_warranty_reminders(order, now=now)


@action("aftersales.ship_order")
def check_add_tracking_entry(
    shipment: Shipment,
    *,
    actor: Any,
    kind: str,
    happened_at: datetime | None = None,
    location: str = "",
    description: str = "",
) -> TrackingEvent | None:
    """An agent's manual tracking entry (looked up on the courier's site or by phone, R23)."""
    update = clean_update(
        {
            "kind": kind,
            "time": happened_at or clock.now(),
            "location": location,
            "description": description,
        }
    )
    stored = do_add_tracking(shipment, [update], source=TrackingSource.AGENT, actor=actor, now=clock.now())
    return stored[0] if stored else None


def shipment_of(shipment_id: Any) -> Shipment:
    try:
        return Shipment.objects.select_related("order").get(pk=int(shipment_id))
    except (ValueError, TypeError, Shipment.DoesNotExist):
        raise NotFound(_("No shipment %(id)s.") % {"id": shipment_id}) from None


# ---- proactive tracking updates (R23) -------------------------------------------------------------


def tracking_text(shipment: Shipment, *, now: datetime) -> str:
    """The tracking update a customer receives (in the customer's language, zh-Hans)."""
    order = shipment.order
    latest = sel.latest_event(shipment)
    with translation.override(django_settings.LANGUAGE_CODE):
        parts = [
            _("Hello, this is an update on your order %(number)s: %(courier)s, tracking number %(tracking)s.")
            % {"number": order.number, "courier": shipment.courier, "tracking": shipment.tracking_no}
        ]
        if latest is not None:
            when = latest.happened_at.astimezone(sel.calendar().tz)
            parts.append(
                _("Latest: %(when)s %(where)s %(what)s.")
                % {
                    "when": f"{when:%m-%d %H:%M}",
                    "where": latest.location,
                    "what": latest.description or latest.get_kind_display(),
                }
            )
        if shipment.status == ShipmentStatus.DELIVERED:
            parts.append(_("The parcel has been delivered; we hope you enjoy it."))
        elif shipment.kind == ShipmentKind.OUTBOUND and order.estimated_arrival_at:
            parts.append(
                _("It should arrive by %(date)s.")
                % {"date": f"{order.estimated_arrival_at.astimezone(sel.calendar().tz):%m-%d}"}
            )
    return " ".join(parts)


@action("aftersales.notify_tracking")
def check_send_tracking_update(shipment: Shipment, *, actor: Any, conversation: Any = None) -> Any:
    """One click: the latest tracking status goes to the customer on their channel."""
    from kefu.aftersales.notify import notify_customer

    now = clock.now()
    order = shipment.order
    with transaction.atomic():
        message = notify_customer(
            order.customer,
            tracking_text(shipment, now=now),
            order=order,
            conversation=conversation,
            now=now,
            actor=actor,
        )
        if message is None:
            raise ValidationFailed(_("The customer has no conversation to send the update to."))
        record_audit(order, "order.tracking_sent", actor=actor, now=now, data={"shipment": shipment.pk})
    return message


def _auto_notify_delivered(shipment: Shipment, now: datetime) -> None:
    from kefu.aftersales.notify import notify_customer

    if shipment.delivered_notified_at or not AftersalesSettings.load().notify_on_delivery:
        return
    order = shipment.order
    if notify_customer(order.customer, tracking_text(shipment, now=now), order=order, now=now) is not None:
        shipment.delivered_notified_at = now
        Shipment.objects.filter(pk=shipment.pk).update(delivered_notified_at=now)
        record_audit(
            order, "order.tracking_sent", actor=None, now=now, data={"shipment": shipment.pk, "rule": "delivered"}
        )


# ---- cash on delivery (R24) -----------------------------------------------------------------------


def do_record_cod_call(
    order: Order, outcome: str, *, actor: Any, now: datetime, note: str = "", reorder_online: bool = False
) -> tuple[Order, Order | None]:
    """Record one confirmation call. Confirmed: the order may ship. Declined: cancelled, or
    re-ordered as an online-payment order waiting for payment. Unreachable: call again after
    the configured hours, cancelled after the configured number of calls. Returns the order
    and the new online order, if any."""
    if outcome not in CodOutcome.values:
        raise ValidationFailed(_("Unknown outcome “%(outcome)s”.") % {"outcome": outcome}, field="outcome")
    if len(note) > 300:
        raise ValidationFailed(_("The note has at most 300 characters."), field="note")
    config = AftersalesSettings.load()
    new_order: Order | None = None
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.status != OrderStatus.PENDING_CONFIRMATION:
            raise Conflict(
                _("Order %(number)s is not waiting for a COD confirmation.") % {"number": locked.number},
                state=locked.status,
            )
        attempts = locked.cod_attempts + 1
        CodCall.objects.create(
            order=locked,
            outcome=outcome,
            note=note,
            reorder_online=reorder_online and outcome == CodOutcome.DECLINED,
            actor=actor if getattr(actor, "pk", None) else None,
            called_at=now,
        )
        data = {"attempt": attempts, "note": note} if note else {"attempt": attempts}
        common = {"cod_attempts": attempts, "cod_call_due_at": None}
        if outcome == CodOutcome.CONFIRMED:
            do_transition_order(locked, "cod_confirm", actor=actor, now=now, data=data, **common)
        elif outcome == CodOutcome.DECLINED:
            do_transition_order(locked, "cod_decline", actor=actor, now=now, data=data, **common)
            if reorder_online:
                new_order = _reorder_online(locked, actor=actor, now=now)
        elif attempts >= config.cod_max_attempts:
            do_transition_order(
                locked, "cancel", actor=actor, now=now, data={**data, "cause": "cod_unreachable"}, **common
            )
        else:
            retry = now + timedelta(hours=config.cod_retry_hours)
            do_transition_order(
                locked, "cod_unreachable", actor=actor, now=now, data=data, cod_attempts=attempts, cod_call_due_at=retry
            )
    for name in ("status", "cod_attempts", "cod_call_due_at", "cod_confirmed_at", "cancelled_at", "estimated_ship_at"):
        setattr(order, name, getattr(locked, name))
    return order, new_order


def _reorder_online(order: Order, *, actor: Any, now: datetime) -> Order:
    copy = Order.objects.create(
        shop=order.shop,
        customer=order.customer,
        platform_order_no="",
        payment=Payment.ONLINE,
        status=OrderStatus.PENDING_PAYMENT,
        total_amount=order.total_amount - AftersalesSettings.load().cod_surcharge
        if order.total_amount > AftersalesSettings.load().cod_surcharge
        else order.total_amount,
        **{name: getattr(order, name) for name in ADDRESS_FIELDS},
        note=_("Re-ordered online from COD order %(number)s") % {"number": order.number},
        source="reorder",
        created_at=now,
        updated_at=now,
    )
    OrderLine.objects.bulk_create(
        OrderLine(
            order=copy,
            product=line.product,
            sku=line.sku,
            name=line.name,
            quantity=line.quantity,
            unit_price=line.unit_price,
            amount=line.amount,
        )
        for line in order.lines.all()
    )
    _set_estimate(copy, now)
    copy.save(update_fields=["estimated_ship_at", "estimated_arrival_at"])
    record_audit(copy, "order.created", actor=actor, now=now, to_state=copy.status, data={"reorder_of": order.pk})
    return copy


@action("aftersales.confirm_cod")
def check_record_cod_call(
    order: Order, outcome: str, *, actor: Any, note: str = "", reorder_online: bool = False
) -> tuple[Order, Order | None]:
    return do_record_cod_call(order, outcome, actor=actor, now=clock.now(), note=note, reorder_online=reorder_online)


# ---- shipping rates (R20) ---------------------------------------------------------------------------

RATE_FIELDS = (
    "courier",
    "zone",
    "provinces",
    "first_weight_grams",
    "first_price",
    "extra_unit_grams",
    "extra_price",
    "is_active",
)


def clean_rate(fields: dict[str, Any]) -> dict[str, Any]:
    from kefu.aftersales.orders_input import money

    clean: dict[str, Any] = {
        "courier": text(fields, "courier", str(_("Courier")), max_length=40),
        "zone": text(fields, "zone", str(_("Zone")), max_length=40),
        "provinces": text(fields, "provinces", str(_("Provinces")), max_length=2000),
        "first_price": money(fields.get("first_price"), str(_("First-weight price"))),
        "extra_price": money(fields.get("extra_price"), str(_("Price per extra unit"))),
        "is_active": bool(fields.get("is_active", True)),
    }
    for name, label in (
        ("first_weight_grams", _("First weight (g)")),
        ("extra_unit_grams", _("Extra weight unit (g)")),
    ):
        value = str(fields.get(name, "")).strip()
        if not params.is_digits(value) or not 1 <= int(value) <= 1_000_000:
            raise ValidationFailed(_("%(field)s must be a whole number of grams.") % {"field": label}, field=name)
        clean[name] = int(value)
    return clean


@action("aftersales.change_shippingrate")
def check_save_shipping_rate(rate: ShippingRate | None, *, actor: Any, **fields: Any) -> ShippingRate:
    clean = clean_rate(fields)
    now = clock.now()
    clash = ShippingRate.objects.filter(courier=clean["courier"], zone=clean["zone"])
    if rate is not None:
        clash = clash.exclude(pk=rate.pk)
    if clash.exists():
        raise Conflict(_("%(courier)s already has a rate for the zone %(zone)s.") % clean)
    if rate is None:
        with transaction.atomic():
            rate = ShippingRate.objects.create(updated_at=now, **clean)
            record_audit(
                rate,
                "shipping_rate.created",
                actor=actor,
                now=now,
                data={"fields": {k: str(v) for k, v in clean.items()}},
            )
        return rate
    save_changes(rate, clean, actor=actor, now=now, verb="shipping_rate.changed")
    return rate


def load_default_rates(*, now: datetime) -> int:
    """The default rates (data/shipping_rates.json) on a fresh install; idempotent: nothing
    happens once any rate exists, so an administrator's deletions stay deleted."""
    from kefu.aftersales.shipping import default_rates

    if ShippingRate.objects.exists():
        return 0
    rows = [
        ShippingRate(
            courier=row["courier"],
            zone=row["zone"],
            provinces=row["provinces"],
            first_weight_grams=row["first_weight_grams"],
            first_price=Decimal(row["first_price"]),
            extra_unit_grams=row["extra_unit_grams"],
            extra_price=Decimal(row["extra_price"]),
            updated_at=now,
        )
        for row in default_rates()
    ]
    ShippingRate.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


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
