"""Side effects after commit, the audit trail, and the numbered real-time streams.

The real-time contract (docs/architecture.md): every event is
``{"type", "op", "id", "stream", "at", ...}``; ``id`` grows by one per stream, so a
client that reconnects asks for everything after the last id it saw.  The database
is the source of truth; the channel layer is only a doorbell.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import os
import re
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction

from kefu.core.bulk import insert_rows
from kefu.core.models import AuditEvent, StreamEvent

log = logging.getLogger(__name__)

# Functions called with the stored events of every publish, inside its transaction (the outgoing
# webhooks register one: kefu.webhooks.hooks).  A listener must be cheap and must not do I/O;
# anything slow goes after commit, to the worker.
STREAM_LISTENERS: list[Callable[[list[StreamEvent]], None]] = []


def on_stream_events(listener: Callable[[list[StreamEvent]], None]) -> None:
    if listener not in STREAM_LISTENERS:
        STREAM_LISTENERS.append(listener)


def _tell_listeners(rows: list[StreamEvent]) -> None:
    for listener in STREAM_LISTENERS:
        listener(rows)


def publish_on_commit(callback: Callable[[], Any]) -> None:
    """Run ``callback`` after the current transaction commits (at once outside one).

    Every WebSocket push, email, webhook and task enqueue goes through here, so nothing
    leaves the process for a write that was rolled back.
    """

    def _safe() -> None:
        try:
            callback()
        except Exception:  # a failed doorbell must not break the request that committed
            log.exception("after-commit side effect failed")

    transaction.on_commit(_safe)


def record_audit(
    subject: models.Model,
    verb: str,
    *,
    actor: Any,
    now: datetime,
    from_state: str = "",
    to_state: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        content_type=ContentType.objects.get_for_model(type(subject)),
        object_id=str(subject.pk),
        verb=verb,
        actor=actor if getattr(actor, "pk", None) else None,
        from_state=from_state,
        to_state=to_state,
        data=data or {},
        created_at=now,
    )


def audit_trail(subject: models.Model) -> models.QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(type(subject)), object_id=str(subject.pk)
    ).select_related("actor")


_GROUP_SAFE = re.compile(r"[^A-Za-z0-9_.\-]")


def group_name(stream_key: str) -> str:
    """Channel-layer group for a stream (group names allow only ASCII letters, digits, ``_.-``)."""
    return "s." + _GROUP_SAFE.sub("-", stream_key)[:90]


_NEXT_ID_SQL = (
    "INSERT INTO core_stream (key, last_id) VALUES (%s, 1) "
    "ON CONFLICT (key) DO UPDATE SET last_id = core_stream.last_id + 1 RETURNING last_id"
)


def next_stream_id(stream_key: str) -> int:
    """Take the stream's next id in one statement (an upsert; SQLite ≥ 3.35 and PostgreSQL).
    The row stays locked until the transaction ends, so ids are handed out in commit order
    and a rolled-back transaction gives its id back: no gaps, no duplicates."""
    with connection.cursor() as cursor:
        cursor.execute(_NEXT_ID_SQL, [stream_key])
        row = cursor.fetchone()
    return int(row[0])


def publish_many(events: list[tuple[str, str, str, dict[str, Any]]], *, now: datetime) -> list[StreamEvent]:
    """:func:`publish` for a batch of ``(stream_key, type, op, payload)`` over any number of
    streams: one numbering statement for all streams, one insert for all events (the
    group-commit path of live chat).  Within a stream the events keep their order."""
    if not events:
        return []
    counts: dict[str, int] = {}
    for key, _t, _o, _p in events:
        counts[key] = counts.get(key, 0) + 1
    keys = sorted(counts)  # a fixed lock order: two batches never wait on each other in a cycle
    # Inside a caller's transaction (the group commit) no savepoint: a failure fails that transaction anyway.
    with transaction.atomic(savepoint=False):
        with connection.cursor() as cursor:
            # Only "(%s, %s)" placeholders are joined into the statement; the values are parameters.
            sql = (
                "INSERT INTO core_stream (key, last_id) VALUES "  # noqa: S608
                + ", ".join(["(%s, %s)"] * len(keys))
                + " ON CONFLICT (key) DO UPDATE SET last_id = core_stream.last_id + excluded.last_id"
                " RETURNING key, last_id"
            )
            cursor.execute(sql, [value for key in keys for value in (key, counts[key])])
            last = {str(key): int(last_id) for key, last_id in cursor.fetchall()}
        following = {key: last[key] - counts[key] + 1 for key in keys}
        rows = []
        for key, type_, op, payload in events:
            rows.append(
                StreamEvent(stream_key=key, seq=following[key], type=type_, op=op, payload=payload, created_at=now)
            )
            following[key] += 1
        insert_rows(rows)
        _tell_listeners(rows)
    for row in rows:
        ring_after_commit(row.stream_key, row.as_event())
    return rows


def publish(stream_key: str, type_: str, op: str, payload: dict[str, Any], *, now: datetime) -> StreamEvent:
    """Append an event to a stream (numbered inside the current transaction) and ring
    the doorbell after commit."""
    with transaction.atomic():
        seq = next_stream_id(stream_key)
        event = StreamEvent.objects.create(
            stream_key=stream_key, seq=seq, type=type_, op=op, payload=payload, created_at=now
        )
        _tell_listeners([event])
    ring_after_commit(stream_key, event.as_event())
    return event


def events_since(stream_key: str, after_id: int, *, limit: int = 500) -> list[dict[str, Any]]:
    """What a reconnecting client missed: every event of the stream after ``after_id``."""
    rows = StreamEvent.objects.filter(stream_key=stream_key, seq__gt=after_id).order_by("seq")[:limit]
    return [row.as_event() for row in rows]


def ring_after_commit(stream_key: str, message: dict[str, Any]) -> None:
    """Ring the stream's doorbell once the transaction commits.

    Doorbells of one transaction level are sent together, in order, with one hop to the
    event loop (an action typically rings two or three).  The batch's after-commit hook is
    registered at the same savepoint level as its messages, so a rolled-back savepoint
    drops exactly its own doorbells."""
    conn = transaction.get_connection()
    if not conn.in_atomic_block:  # autocommit: the write is already committed
        publish_on_commit(lambda: _send([(stream_key, message)]))
        return
    if not conn.run_on_commit:
        conn._kefu_doorbells = {}  # a new transaction: no live batches
    batches: dict[tuple[str, ...], list[tuple[str, dict[str, Any]]]] = conn.__dict__.setdefault("_kefu_doorbells", {})
    level = tuple(conn.savepoint_ids)
    batch = batches.get(level)
    if batch is None:
        batch = batches[level] = []
        publish_on_commit(lambda: _send(batches.pop(level, batch)))
    batch.append((stream_key, message))


def _send(messages: list[tuple[str, dict[str, Any]]]) -> None:
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    if layer is None or not messages:
        return
    loop = _serving_loop()
    if loop is not None:
        # A thread of the web process (the group commit, a sync view): hand the doorbells to the event loop
        # and go on.  Waiting for the loop to send them (async_to_sync) held the group commit's one thread
        # for every batch, behind whatever the loop was busy with.
        _doorbells(loop, layer).ring(messages)
        return

    async def send_all() -> None:
        for stream_key, message in messages:
            await layer.group_send(group_name(stream_key), {"type": "stream.event", "event": message})

    async_to_sync(send_all)()


def _serving_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop that called this thread through ``sync_to_async``, if it still runs."""
    from asgiref.sync import SyncToAsync

    local = SyncToAsync.threadlocal
    loop = getattr(local, "main_event_loop", None)
    if loop is None or getattr(local, "main_event_loop_pid", None) != os.getpid() or not loop.is_running():
        return None
    return loop


class _Doorbells:
    """Doorbells handed over from other threads, sent on the loop in the order they were rung (one task
    drains them, so a stream's events never overtake each other)."""

    def __init__(self, loop: asyncio.AbstractEventLoop, layer: Any) -> None:
        self.loop, self.layer = loop, layer
        self.waiting: collections.deque[tuple[str, dict[str, Any]]] = collections.deque()
        self.draining = False
        self.lock = threading.Lock()
        self.task: asyncio.Task[None] | None = None  # the loop keeps only a weak reference

    def ring(self, messages: list[tuple[str, dict[str, Any]]]) -> None:
        with self.lock:
            self.waiting.extend(messages)
            if self.draining:
                return
            self.draining = True
            deferred: Deferred | None = getattr(_DEFERRED, "token", None)
            if deferred is not None:
                with deferred.lock:
                    if deferred.live:  # the caller on the loop starts the drain when this thread returns
                        deferred.owed = self
                        return
        try:
            self.loop.call_soon_threadsafe(self._start)
        except RuntimeError:  # the loop has closed (shutting down): the database keeps the events
            with self.lock:
                self.draining = False

    def _start(self) -> None:
        self.task = self.loop.create_task(self._drain())

    async def _drain(self) -> None:
        while True:
            with self.lock:
                if not self.waiting:
                    self.draining = False
                    return
                batch = list(self.waiting)
                self.waiting.clear()
            for stream_key, message in batch:
                try:
                    await self.layer.group_send(group_name(stream_key), {"type": "stream.event", "event": message})
                except Exception:  # one failed doorbell must not stop the others; clients catch up by id
                    log.exception("doorbell failed", extra={"stream": stream_key})


class Deferred:
    """The group commit's thread rings doorbells while the loop waits for it to return: instead of waking
    the loop for them (``call_soon_threadsafe``: a write to the loop's pipe and a hand-over of the
    interpreter, once per batch), the loop starts their drain itself when the call returns
    (:func:`doorbells_deferred`, :meth:`kick`).  Rung after :meth:`kick` (the caller gave up waiting),
    they wake the loop as before."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.live = True
        self.owed: _Doorbells | None = None

    def kick(self) -> None:
        """On the loop, once the thread's call has returned (or was abandoned)."""
        with self.lock:
            self.live = False
            owed, self.owed = self.owed, None
        if owed is None:
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is owed.loop:
            owed._start()
            return
        try:
            owed.loop.call_soon_threadsafe(owed._start)
        except RuntimeError:  # the loop has closed: the database keeps the events
            with owed.lock:
                owed.draining = False


_DEFERRED = threading.local()


def doorbells_deferred(deferred: Deferred, fn: Callable[..., Any], *args: Any) -> Any:
    """Run ``fn(*args)`` (on a thread called from the loop) with the loop's wake-up for its doorbells
    left to ``deferred.kick()``, which the caller runs on the loop when this returns."""
    _DEFERRED.token = deferred
    try:
        return fn(*args)
    finally:
        _DEFERRED.token = None


_DOORBELLS: dict[asyncio.AbstractEventLoop, _Doorbells] = {}
_DOORBELLS_LOCK = threading.Lock()


def _doorbells(loop: asyncio.AbstractEventLoop, layer: Any) -> _Doorbells:
    bells = _DOORBELLS.get(loop)
    if bells is None or bells.layer is not layer:
        with _DOORBELLS_LOCK:
            bells = _DOORBELLS.get(loop)
            if bells is None or bells.layer is not layer:
                for old in [known for known in _DOORBELLS if known.is_closed()]:
                    del _DOORBELLS[old]
                bells = _DOORBELLS[loop] = _Doorbells(loop, layer)
    return bells


def notify(stream_key: str, type_: str, op: str, payload: dict[str, Any], *, now: datetime) -> None:
    """A doorbell without a numbered, stored event: for lists (the agents' inbox) whose
    clients simply reload what they show after a reconnect.  Keeps hot paths free of a
    single global counter row."""
    message = {"type": type_, "op": op, "id": None, "stream": stream_key, "at": now.isoformat(), **payload}
    ring_after_commit(stream_key, message)
