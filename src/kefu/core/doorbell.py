"""Doorbells from ``kefu serve``'s worker process to its web process (embedded mode only).

In embedded mode the channel layer lives in the web process's memory.  The jobs and timers run in a
child process (:class:`kefu.core.runtime.WorkerProcess`), and what they publish — a bot's answer, a
raised priority, a snoozed conversation waking — must still ring the doorbells of the sockets in
the web process.  The child's channel layer is a :class:`ForwardingLayer`: each ``group_send`` is
one JSON line on a socket pair the parent made; the parent's :func:`relay`, on the event loop that
serves the sockets, sends it on through the in-memory layer.

The database stays the source of truth: a doorbell lost while the web process restarts costs a
client nothing it cannot fetch with ``after`` (docs/events.md).
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import threading
from typing import Any

from channels.layers import BaseChannelLayer

log = logging.getLogger(__name__)

LINE_LIMIT = 16 * 1024 * 1024  # one event (a long email's text) fits
SEND_TIMEOUT_S = 5.0


class ForwardingLayer(BaseChannelLayer):
    """A channel layer that can only ring groups, by writing to the parent process."""

    extensions = ["groups"]

    def __init__(self, sock: socket.socket) -> None:
        super().__init__()
        self.sock = sock
        self.sock.settimeout(SEND_TIMEOUT_S)
        self._lock = threading.Lock()

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        line = json.dumps([group, message], ensure_ascii=False, default=str).encode("utf-8") + b"\n"
        with self._lock:
            try:
                self.sock.sendall(line)
            except OSError as exc:  # the web process is gone or not reading: the database keeps the event
                log.warning("doorbell not forwarded", extra={"group": group, "error": str(exc)[:200]})

    async def group_add(self, group: str, channel: str) -> None:
        return None

    async def group_discard(self, group: str, channel: str) -> None:
        return None

    async def send(self, channel: str, message: dict[str, Any]) -> None:
        raise NotImplementedError("the worker process serves no sockets")

    async def receive(self, channel: str) -> dict[str, Any]:
        raise NotImplementedError("the worker process serves no sockets")

    async def new_channel(self, prefix: str = "specific.") -> str:
        raise NotImplementedError("the worker process serves no sockets")


def install_forwarding(fd: int) -> None:
    """In the worker process: ring the parent's sockets through the inherited socket ``fd``."""
    from channels.layers import DEFAULT_CHANNEL_LAYER, channel_layers

    channel_layers.set(DEFAULT_CHANNEL_LAYER, ForwardingLayer(socket.socket(fileno=fd)))


async def relay(sock: socket.socket) -> int:
    """In the web process, on the sockets' event loop: pass the child's doorbells on until it closes
    its end.  Returns how many were relayed."""
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    reader, writer = await asyncio.open_connection(sock=sock, limit=LINE_LIMIT)
    relayed = 0
    try:
        while line := await reader.readline():
            try:
                group, message = json.loads(line)
                await layer.group_send(str(group), dict(message))
                relayed += 1
            except Exception:  # one bad line must not stop the doorbells that follow
                log.exception("doorbell relay failed")
    finally:
        writer.close()
    return relayed
