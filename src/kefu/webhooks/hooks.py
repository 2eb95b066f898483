"""The only webhook code on the event path: inside ``publish``'s transaction, note which stored
events some active endpoint subscribes to; after commit, hand them to a per-process flusher that
enqueues one fan-out job for everything committed in the last ``FLUSH_INTERVAL`` (an enqueue per
commit cost 25 ms on SQLite's queue: ``kefu bench webhooks``).

No I/O to endpoints here, ever.  The set of subscribed event types is cached per process for
``CACHE_SECONDS`` (a new endpoint in another process is seen within that time)."""

from __future__ import annotations

import atexit
import logging
import threading
import time

from django.db import transaction

from kefu.core.events import publish_on_commit
from kefu.core.models import StreamEvent

log = logging.getLogger(__name__)
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
    """After commit: hand the keys to this process's flusher (no I/O on the caller's thread); with
    the suite's immediate queue, fan out at once."""
    from kefu.core.tasks import HUEY

    if not keys:
        return
    if HUEY.immediate:
        from kefu.webhooks.tasks import fan_out

        fan_out.enqueue(keys)
        return
    with _pending_lock:
        _pending.extend(keys)
    _flusher.request()


FLUSH_INTERVAL = 0.2  # seconds: at most five fan-out jobs a second per process, whatever the event rate
_pending: list[list[object]] = []
_pending_lock = threading.Lock()


def flush() -> int:
    """Enqueue one fan-out job for everything committed since the last flush."""
    from kefu.webhooks.tasks import fan_out

    with _pending_lock:
        keys = list(_pending)
        _pending.clear()
    if keys:
        try:
            fan_out.enqueue(keys)
        except Exception:  # the queue's storage was busy or gone: keep them for the next flush
            with _pending_lock:
                _pending[:0] = keys
            raise
    return len(keys)


class _Flusher:
    """A daemon thread that flushes at most every ``FLUSH_INTERVAL`` seconds after a request,
    and once more at exit (``atexit``), so a clean shutdown loses nothing."""

    def __init__(self) -> None:
        self._wanted = threading.Event()
        self._thread: threading.Thread | None = None
        self._start = threading.Lock()

    def request(self) -> None:
        self._wanted.set()
        if self._thread is None or not self._thread.is_alive():
            with self._start:
                if self._thread is None or not self._thread.is_alive():
                    self._thread = threading.Thread(target=self._run, name="kefu-webhooks-flush", daemon=True)
                    self._thread.start()
                    atexit.register(_flush_quietly)

    def _run(self) -> None:
        while True:
            self._wanted.wait()
            self._wanted.clear()
            try:
                flush()
            except Exception:
                log.exception("webhook fan-out enqueue failed; retrying with the next flush")
                self._wanted.set()
            time.sleep(FLUSH_INTERVAL)


def _flush_quietly() -> None:
    try:
        flush()
    except Exception:
        log.exception("webhook fan-out enqueue at exit failed")


_flusher = _Flusher()
