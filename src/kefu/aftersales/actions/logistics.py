"""Logistics exceptions (R23): flagged by tracking events, by the shipment sweeper (no movement,
delayed against the estimate) or by an agent; worked to their end — the customer compensated first
for a lost parcel, then a claim against the courier.  The redelivery and the sweeper that drive a
shipment are in :mod:`.shipments`."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kefu.aftersales.choices import (
    ClaimStatus,
    ExceptionKind,
    ExceptionStatus,
    ShipmentStatus,
)
from kefu.aftersales.models import LogisticsException, Shipment
from kefu.aftersales.transitions import claim_machine, exception_machine
from kefu.core import clock
from kefu.core.actions import action
from kefu.core.errors import Conflict, ValidationFailed
from kefu.core.events import record_audit

MOVING = (ShipmentStatus.CREATED, ShipmentStatus.IN_TRANSIT, ShipmentStatus.OUT_FOR_DELIVERY)
# Exceptions that a parcel's movement (a new event, its delivery) settles by itself.
SETTLED_BY_MOVEMENT = (ExceptionKind.NO_MOVEMENT, ExceptionKind.DELAYED, ExceptionKind.DELIVERY_FAILED)


def do_open_exception(
    shipment: Shipment, kind: str, *, detail: str = "", actor: Any, now: datetime
) -> LogisticsException | None:
    """Open ``kind`` on ``shipment`` unless one is already open (idempotent)."""
    if kind not in ExceptionKind.values:
        raise ValidationFailed(_("Unknown exception “%(kind)s”.") % {"kind": kind}, field="kind")
    if (
        LogisticsException.objects.filter(shipment=shipment, kind=kind)
        .exclude(status=ExceptionStatus.RESOLVED)
        .exists()
    ):
        return None
    with transaction.atomic():
        exc = LogisticsException.objects.create(
            shipment=shipment,
            order_id=shipment.order_id,
            kind=kind,
            detail=detail[:300],
            opened_at=now,
            updated_at=now,
        )
        record_audit(exc, "logistics_exception.opened", actor=actor, now=now, to_state=exc.status, data={"kind": kind})
    return exc


@action("aftersales.ship_order")
def check_flag_exception(shipment: Shipment, kind: str, *, actor: Any, detail: str = "") -> LogisticsException:
    """An agent flags an exception the customer reported (a wrong item, a parcel never received)."""
    if len(detail) > 300:
        raise ValidationFailed(_("The detail has at most 300 characters."), field="detail")
    exc = do_open_exception(shipment, kind, detail=detail, actor=actor, now=clock.now())
    if exc is None:
        raise Conflict(_("This exception is already open for the parcel."))
    return exc


def resolve_moving_exceptions(shipment: Shipment, *, now: datetime) -> int:
    """A parcel moved again or arrived: its no-movement / delay / failed-delivery flags close."""
    kinds: tuple[str, ...] = (ExceptionKind.NO_MOVEMENT,)
    if shipment.status == ShipmentStatus.DELIVERED:
        kinds = SETTLED_BY_MOVEMENT
    open_ = LogisticsException.objects.filter(
        shipment=shipment, kind__in=kinds, status__in=(ExceptionStatus.OPEN, ExceptionStatus.REDELIVERY)
    )
    count = 0
    for exc in open_:
        if exc.kind == ExceptionKind.NO_MOVEMENT and shipment.last_event_at and shipment.last_event_at <= exc.opened_at:
            continue  # the event is older than the flag: still no movement since
        exception_machine.transition(
            exc, "resolve", actor=None, now=now, updates={"resolution": str(_("The parcel moved again."))}
        )
        count += 1
    return count


@action("aftersales.handle_logistics")
def check_record_compensation(exc: LogisticsException, *, actor: Any, compensation: str = "") -> LogisticsException:
    """The customer was compensated (on the compensation page, contract F): note its reference."""
    if len(compensation) > 40:
        raise ValidationFailed(_("The reference has at most 40 characters."), field="compensation")
    exception_machine.transition(
        exc, "compensate", actor=actor, now=clock.now(), updates={"compensation_id": compensation.strip()}
    )
    return exc


@action("aftersales.handle_logistics")
def check_file_claim(exc: LogisticsException, *, actor: Any, claim_no: str, amount: Any) -> LogisticsException:
    """Claim against the courier — only after the customer was compensated (R23: compensate first)."""
    from kefu.aftersales.orders_input import money

    claim_no = (claim_no or "").strip()
    if not claim_no or len(claim_no) > 60:
        raise ValidationFailed(_("Enter the courier's claim number (at most 60 characters)."), field="claim_no")
    value: Decimal = money(amount, str(_("Claim amount")))
    now = clock.now()
    with transaction.atomic():
        if exc.status == ExceptionStatus.COMPENSATED:
            exception_machine.transition(exc, "file_claim", actor=actor, now=now)
        elif exc.status != ExceptionStatus.CLAIMING:
            raise Conflict(_("Compensate the customer first, then claim from the courier."), state=exc.status)
        claim_machine.transition(
            exc,
            "file",
            actor=actor,
            now=now,
            updates={"claim_no": claim_no, "claim_amount": value, "claim_closed_at": None},
        )
    return exc


@action("aftersales.handle_logistics")
def check_claim_outcome(exc: LogisticsException, event: str, *, actor: Any, note: str = "") -> LogisticsException:
    """The courier accepted, rejected or paid the claim; a paid or finally rejected claim ends
    the exception when the agent resolves it."""
    if event not in ("accept", "reject", "pay"):
        raise ValidationFailed(_("Unknown action “%(event)s”.") % {"event": event})
    claim_machine.transition(exc, event, actor=actor, now=clock.now(), data={"note": note[:300]} if note else None)
    return exc


@action("aftersales.handle_logistics")
def check_resolve_exception(exc: LogisticsException, *, actor: Any, resolution: str) -> LogisticsException:
    resolution = (resolution or "").strip()
    if not resolution or len(resolution) > 300:
        raise ValidationFailed(_("Say how it was resolved (at most 300 characters)."), field="resolution")
    if exc.status == ExceptionStatus.CLAIMING and exc.claim_status not in (ClaimStatus.PAID, ClaimStatus.REJECTED):
        raise Conflict(_("The claim against the courier is still running."), state=exc.claim_status)
    exception_machine.transition(exc, "resolve", actor=actor, now=clock.now(), updates={"resolution": resolution})
    return exc


# ---- the sweeper: no movement, delayed against the estimate -------------------------------------
