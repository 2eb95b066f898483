"""Timers of orders and logistics: parcels without movement or past their estimate (R23), and
the pull couriers' tracking (real courier APIs behind :mod:`kefu.aftersales.couriers`)."""

from __future__ import annotations

from datetime import datetime

from kefu.core.tasks import sweeper


@sweeper("aftersales.logistics")
def logistics(now: datetime) -> int:
    from kefu.aftersales.actions import sweep_shipments
    from kefu.aftersales.couriers import poll_due

    return poll_due(now) + sweep_shipments(now)
