"""Courier adapters (R23): where tracking events come from.

An adapter turns a courier's data into :class:`~kefu.aftersales.actions.TrackingUpdate` rows:

* :class:`PostedEvents` — the adapter kefu ships: the courier (or an aggregator such as a
  tracking-push service, or your ERP) posts events to ``POST /api/v1/shipments/{id}/events``;
  it maps their status words (also the usual Chinese ones: 揽收, 运输中, 派送中, 已签收, 拒收 …)
  to kefu's event kinds.
* A *pull* adapter (a real courier API) implements :meth:`CourierAdapter.fetch`; register it for
  the courier's name with :func:`register` and the logistics sweeper asks it for news of every
  moving parcel of that courier (every ``poll_minutes``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, Protocol

from django.utils.translation import gettext as _

from kefu.aftersales.choices import TrackingEventKind, TrackingSource
from kefu.core.errors import ValidationFailed

# Status words couriers and aggregators use, mapped to kefu's kinds.
SYNONYMS: dict[str, str] = {
    "collected": TrackingEventKind.PICKED_UP,
    "accepted": TrackingEventKind.PICKED_UP,
    "揽收": TrackingEventKind.PICKED_UP,
    "已揽收": TrackingEventKind.PICKED_UP,
    "transit": TrackingEventKind.IN_TRANSIT,
    "运输中": TrackingEventKind.IN_TRANSIT,
    "在途": TrackingEventKind.IN_TRANSIT,
    "派送中": TrackingEventKind.OUT_FOR_DELIVERY,
    "派件中": TrackingEventKind.OUT_FOR_DELIVERY,
    "signed": TrackingEventKind.DELIVERED,
    "已签收": TrackingEventKind.DELIVERED,
    "签收": TrackingEventKind.DELIVERED,
    "派送失败": TrackingEventKind.DELIVERY_FAILED,
    "疑难件": TrackingEventKind.DELIVERY_FAILED,
    "拒收": TrackingEventKind.REFUSED,
    "退回": TrackingEventKind.RETURNED,
    "退件": TrackingEventKind.RETURNED,
    "丢失": TrackingEventKind.LOST,
    "错发": TrackingEventKind.WRONG_ITEM,
}


class CourierAdapter(Protocol):
    name: str
    poll_minutes: int

    def fetch(self, shipment: Any, *, now: datetime) -> list[Any]:
        """News of ``shipment`` since its last event, as TrackingUpdate rows."""
        ...


_PULL: dict[str, CourierAdapter] = {}


def register(courier: str, adapter: CourierAdapter) -> None:
    _PULL[courier] = adapter


def unregister(courier: str) -> None:
    _PULL.pop(courier, None)


class PostedEvents:
    """The push adapter behind ``POST /api/v1/shipments/{id}/events``."""

    name = "posted"

    def parse(self, body: Any) -> list[Any]:
        from kefu.aftersales.actions import clean_update

        events = body.get("events") if isinstance(body, dict) and "events" in body else body
        if isinstance(events, dict):
            events = [events]
        if not isinstance(events, list) or not events:
            raise ValidationFailed(_('Post one event object or {"events": [ … ]}.'))
        if len(events) > 500:
            raise ValidationFailed(_("At most 500 events at a time."))
        return [clean_update(self.normalise(raw)) for raw in events]

    @staticmethod
    def normalise(raw: Any) -> Any:
        if not isinstance(raw, dict):
            return raw
        kind = str(raw.get("kind") or raw.get("status") or "").strip()
        mapped = SYNONYMS.get(kind) or SYNONYMS.get(kind.lower()) or kind.lower()
        return {**raw, "kind": mapped}

    def accept(self, shipment: Any, body: Any, *, now: datetime) -> list[Any]:
        from kefu.aftersales.actions import do_add_tracking

        updates = self.parse(body)
        return do_add_tracking(shipment, updates, source=TrackingSource.COURIER, actor=None, now=now)


posted = PostedEvents()


def poll_due(now: datetime, *, limit: int = 200) -> int:
    """Ask each registered pull adapter about its moving parcels not polled for its interval."""
    if not _PULL:
        return 0
    from kefu.aftersales.actions import MOVING, do_add_tracking
    from kefu.aftersales.models import Shipment

    stored = 0
    for courier, adapter in list(_PULL.items()):
        since = now - timedelta(minutes=adapter.poll_minutes)
        shipments: Iterable[Shipment] = Shipment.objects.filter(
            courier=courier, status__in=MOVING, last_event_at__lt=since
        ).select_related("order")[:limit]
        for shipment in shipments:
            updates = adapter.fetch(shipment, now=now)
            if updates:
                stored += len(do_add_tracking(shipment, updates, source=TrackingSource.COURIER, actor=None, now=now))
    return stored
