"""Shipments and tracking (R23): creating a shipment, storing tracking events (which move the shipment
and the order, and open or settle logistics exceptions), tracking updates to the customer, a
requested redelivery, and the shipment sweeper (no movement, delayed)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings as django_settings
from django.db import transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from kefu.aftersales import hooks
from kefu.aftersales import selectors as sel
from kefu.aftersales.actions.logistics import MOVING, do_open_exception, resolve_moving_exceptions
from kefu.aftersales.actions.orders import _after_delivery, check_update_address, clean_address, do_transition_order
from kefu.aftersales.choices import (
    CarrierKind,
    ExceptionKind,
    ExceptionStatus,
    OrderStatus,
    Payment,
    ShipmentKind,
    ShipmentStatus,
    TrackingEventKind,
    TrackingSource,
)
from kefu.aftersales.models import (
    AftersalesSettings,
    LogisticsException,
    Order,
    Shipment,
    TrackingEvent,
)
from kefu.aftersales.orders_input import text
from kefu.aftersales.transitions import exception_machine, order_machine
from kefu.core import clock
from kefu.core.actions import ACTIONS, ActionSpec, action, require
from kefu.core.errors import Conflict, NotFound, ValidationFailed
from kefu.core.events import publish_on_commit, record_audit

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


@action("aftersales.handle_logistics")
def check_request_redelivery(
    exc: LogisticsException, *, actor: Any, note: str = "", **address: Any
) -> LogisticsException:
    """Delivery failed: correct the address or phone (if given) and ask the courier to deliver again."""
    now = clock.now()
    clean = clean_address({k: v for k, v in address.items() if v not in (None, "")})
    if len(note) > 200:
        raise ValidationFailed(_("The note has at most 200 characters."), field="note")
    with transaction.atomic():
        if clean:
            check_update_address(exc.order, actor=actor, **clean)
        exception_machine.transition(exc, "redeliver", actor=actor, now=now, data={"address": clean, "note": note})
        text = _("Redelivery requested") + (f": {note}" if note else "")
        do_add_tracking(
            exc.shipment,
            [TrackingUpdate(kind=TrackingEventKind.NOTE, happened_at=now, description=str(text))],
            source=TrackingSource.AGENT,
            actor=actor,
            now=now,
        )
    return exc


def sweep_shipments(now: datetime, *, batch: int = 500) -> int:
    """Flag parcels without movement for the configured hours and outbound parcels past their
    estimated arrival; tell the customer of a delay once when the rule is on. Idempotent."""
    from kefu.aftersales.notify import notify_customer

    config = AftersalesSettings.load()
    stale_before = now - timedelta(hours=config.no_movement_hours)
    flagged = 0
    stale_ids = list(
        Shipment.objects.filter(status__in=MOVING, last_event_at__lt=stale_before)
        .exclude(pk__in=_with_exception(ExceptionKind.NO_MOVEMENT, _OPEN))
        .values_list("pk", flat=True)[:batch]
    )
    with transaction.atomic():
        for shipment in _locked(stale_ids):
            hours = int((now - shipment.last_event_at).total_seconds() // 3600) if shipment.last_event_at else 0
            detail = _("No tracking movement for %(hours)d hours.") % {"hours": hours}
            if do_open_exception(shipment, ExceptionKind.NO_MOVEMENT, detail=detail, actor=None, now=now):
                flagged += 1
    late_ids = list(
        Shipment.objects.filter(kind=ShipmentKind.OUTBOUND, status__in=(*MOVING, ShipmentStatus.DELIVERY_FAILED))
        .filter(
            Q(estimated_arrival_at__lt=now) | Q(estimated_arrival_at__isnull=True, order__estimated_arrival_at__lt=now)
        )
        .exclude(pk__in=_with_exception(ExceptionKind.DELAYED), delay_notified_at__isnull=False)
        .values_list("pk", flat=True)[:batch]
    )
    with transaction.atomic():
        for shipment in _locked(late_ids):
            if do_open_exception(
                shipment, ExceptionKind.DELAYED, detail=str(_("Past the estimated arrival.")), actor=None, now=now
            ):
                flagged += 1
            if shipment.delay_notified_at is not None:
                continue
            if config.notify_on_delay:
                order = shipment.order
                text = tracking_text(shipment, now=now) + " " + str(_delay_apology())
                notify_customer(order.customer, text, order=order, now=now)
                record_audit(
                    order, "order.tracking_sent", actor=None, now=now, data={"shipment": shipment.pk, "rule": "delayed"}
                )
            Shipment.objects.filter(pk=shipment.pk).update(delay_notified_at=now)
    return flagged


def _with_exception(kind: str, statuses: tuple[str, ...] | None = None) -> Any:
    rows = LogisticsException.objects.filter(kind=kind)
    if statuses is not None:
        rows = rows.filter(status__in=statuses)
    return rows.values("shipment_id")


def _locked(ids: list[int]) -> list[Shipment]:
    """The shipments, locked (those another sweeper holds are skipped), with order and customer."""
    return list(
        Shipment.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(pk__in=ids)
        .select_related("order", "order__customer")
        .order_by("pk")
    )


_OPEN = (ExceptionStatus.OPEN, ExceptionStatus.REDELIVERY, ExceptionStatus.COMPENSATED, ExceptionStatus.CLAIMING)


def _delay_apology() -> str:
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        return _("Sorry, the parcel is later than we estimated; we are following it up with the courier.")
