"""Delivery of agents' messages to channels that are not live sockets.

The web widget reads messages from the database over its WebSocket; email, platform and other
channels need a push to the outside world.  An intake adapter registers one deliverer per
channel kind; after the message is committed, :func:`deliver_after_commit` calls it with the
message id (deliverers enqueue a job with retries, they never send inline).
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from kefu.core.events import publish_on_commit

Deliverer = Callable[[int], None]
_DELIVERERS: dict[str, Deliverer] = {}


def register(kind: str) -> Callable[[Deliverer], Deliverer]:
    """``@register(ChannelKind.EMAIL)`` on a function taking a message id."""

    def decorate(fn: Deliverer) -> Deliverer:
        _DELIVERERS[kind] = fn
        return fn

    return decorate


def deliverer_for(kind: str) -> Deliverer | None:
    return _DELIVERERS.get(kind)


_SUPPRESSED: contextvars.ContextVar[bool] = contextvars.ContextVar("kefu_outbound_suppressed", default=False)


@contextmanager
def suppressed() -> Iterator[None]:
    """Nothing leaves kefu inside this block: for the demo loader, whose seeded agent replies
    must not be mailed to example addresses or pushed to platforms."""
    token = _SUPPRESSED.set(True)
    try:
        yield
    finally:
        _SUPPRESSED.reset(token)


def deliver_after_commit(kind: str, message_id: int) -> None:
    if _SUPPRESSED.get():
        return
    fn = _DELIVERERS.get(kind)
    if fn is not None:
        publish_on_commit(lambda: fn(message_id))
