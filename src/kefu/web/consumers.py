"""WebSocket for the agent workspace: subscribe to numbered streams and catch up.

Client → server: ``{"op": "subscribe", "stream": "conversation:42", "after": 17}``.
Server → client: every event of the stream after id 17 from the database, then live
events as they are published (docs/architecture.md, "Real-time events").
"""

from __future__ import annotations

import json
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from kefu.core.actions import has_perm
from kefu.core.events import events_since, group_name

BACKLOG_PAGE = 500
STREAM_PERMS = {
    "conversation": "conversations.view_conversation",
    "ticket": "tickets.view_ticket",
    "inbox": "conversations.view_conversation",
    "agents": "accounts.view_user",
}


class StreamConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.user = user
        self.streams: set[str] = set()
        await self.accept()

    async def disconnect(self, code: int) -> None:
        for stream in getattr(self, "streams", set()):
            await self.channel_layer.group_discard(group_name(stream), self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any) -> None:
        try:
            content = json.loads(text_data or "")
        except ValueError:
            await self.send_json({"type": "error", "error": "invalid_json"})
            return
        if not isinstance(content, dict):
            await self.send_json({"type": "error", "error": "invalid_message"})
            return
        await self.receive_json(content)

    async def receive_json(self, content: dict[str, Any], **kwargs: Any) -> None:
        if content.get("op") != "subscribe" or not isinstance(content.get("stream"), str):
            await self.send_json({"type": "error", "error": "unknown_op"})
            return
        stream = content["stream"][:100]
        kind = stream.split(":", 1)[0]
        perm = STREAM_PERMS.get(kind)
        if perm is None or not await database_sync_to_async(has_perm)(self.user, perm):
            await self.send_json({"type": "error", "error": "forbidden", "stream": stream})
            return
        after = content.get("after", 0)
        after = after if isinstance(after, int) and after >= 0 else 0
        # Join first, then read the backlog: an event published in between arrives twice
        # at worst, and clients drop ids they have already seen — never a gap.
        await self.channel_layer.group_add(group_name(stream), self.channel_name)
        self.streams.add(stream)
        while True:  # the whole backlog, in pages
            page = await database_sync_to_async(events_since)(stream, after, limit=BACKLOG_PAGE)
            for event in page:
                await self.send_json(event)
            if len(page) < BACKLOG_PAGE:
                break
            after = page[-1]["id"]
        await self.send_json({"type": "subscribed", "stream": stream})

    async def stream_event(self, message: dict[str, Any]) -> None:
        await self.send_json(message["event"])
