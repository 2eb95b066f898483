"""Shared by kefu's WebSocket consumers."""

from __future__ import annotations

from typing import Any

from channels.consumer import get_handler_name


class NoConnectionResetMixin:
    """Channels resets Django's database connections (a hop to a worker thread) before
    *every* message a consumer handles — each frame from the client and each doorbell from
    the channel layer.  kefu's consumers touch the database only inside
    ``database_sync_to_async``, which does that reset itself, so the extra hop per frame
    is skipped (``kefu bench chat`` measured it among the largest costs of a message)."""

    async def dispatch(self, message: dict[str, Any]) -> None:
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)
