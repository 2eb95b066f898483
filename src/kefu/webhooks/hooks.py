"""The only webhook code on the event path: inside ``publish``'s transaction, note which stored
events some active endpoint subscribes to; after commit, enqueue one fan-out job for them.

No I/O to endpoints here, ever.  The set of subscribed event types is cached per process for
``CACHE_SECONDS`` (a new endpoint in another process is seen within that time)."""

from __future__ import annotations

import threading
import time

from django.db import transaction

from kefu.core.events import publish_on_commit
from kefu.core.models import StreamEvent

CACHE_SECONDS = 5.0
_lock = threading.Lock()
_cache: tuple[float, frozenset[str]] = (0.0, frozenset())


def subscribed_types() -> frozenset[str]:
    global _cache
    expires, types = _cache
    if time.monotonic() < expires:
        return types
    from kefu.webhooks.models import Endpoint

    found: set[str] = set()
    for event_types in Endpoint.objects.filter(active=True).values_list("event_types", flat=True):
        found.update(str(t) for t in (event_types or []))
    with _lock:
        _cache = (time.monotonic() + CACHE_SECONDS, frozenset(found))
    return _cache[1]


def forget_subscriptions() -> None:
    """After an endpoint changed in this process (the actions call it)."""
    global _cache
    with _lock:
        _cache = (0.0, frozenset())


def stream_events_stored(rows: list[StreamEvent]) -> None:
    types = subscribed_types()
    if not types:
        return
    keys = [[row.stream_key, row.seq] for row in rows if f"{row.type}.{row.op}" in types]
    if not keys:
        return
    conn = transaction.get_connection()
    if not conn.in_atomic_block:
        _enqueue(keys)
        return
    if not conn.run_on_commit:
        conn._kefu_webhook_keys = {}  # a new transaction
    pending: dict[tuple[str, ...], list[list[object]]] = conn.__dict__.setdefault("_kefu_webhook_keys", {})
    level = tuple(conn.savepoint_ids)
    batch = pending.get(level)
    if batch is None:
        batch = pending[level] = []
        publish_on_commit(lambda: _enqueue(pending.pop(level, batch)))
    batch.extend(keys)


def _enqueue(keys: list[list[object]]) -> None:
    from kefu.webhooks.tasks import fan_out

    if keys:
        fan_out.enqueue(keys)
