"""Listeners other apps register on orders and shipments (contract E).

``on_shipment_delivered(listener)`` registers ``listener(shipment, now)``, called after commit
once a shipment (outbound, return or replacement) is delivered — the after-sales cases app uses it
to move a case whose return parcel arrived."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kefu.aftersales.models import Shipment

DeliveredListener = Callable[["Shipment", datetime], None]

_delivered: list[DeliveredListener] = []


def on_shipment_delivered(listener: DeliveredListener) -> DeliveredListener:
    """Register ``listener``; usable as a decorator. Registering twice is harmless."""
    if listener not in _delivered:
        _delivered.append(listener)
    return listener


def shipment_delivered(shipment: Shipment, now: datetime) -> None:
    for listener in list(_delivered):
        listener(shipment, now)
