"""An in-process WebSocket client speaking ASGI to a consumer (the user is put in the scope,
as the auth middleware of the real app does)."""

from __future__ import annotations

import json
from typing import Any

from asgiref.testing import ApplicationCommunicator


class Socket(ApplicationCommunicator):
    def __init__(self, consumer: Any, *, path: str, user: Any = None, query: str = "") -> None:
        scope = {
            "type": "websocket",
            "path": path,
            "query_string": query.encode(),
            "headers": [],
            "subprotocols": [],
        }
        if user is not None:
            scope["user"] = user
        super().__init__(consumer.as_asgi(), scope)

    async def connect(self):
        await self.send_input({"type": "websocket.connect"})
        reply = await self.receive_output(5)
        return reply["type"] == "websocket.accept", reply.get("code")

    async def send_json_to(self, data):
        await self.send_input({"type": "websocket.receive", "text": json.dumps(data)})

    async def send_to(self, text_data):
        await self.send_input({"type": "websocket.receive", "text": text_data})

    async def receive_json_from(self, timeout=5):
        reply = await self.receive_output(timeout)
        return json.loads(reply["text"])

    async def receive_until(self, predicate, timeout=5):
        """Read frames until one matches; returns (match, frames read before it)."""
        skipped = []
        while True:
            frame = await self.receive_json_from(timeout)
            if predicate(frame):
                return frame, skipped
            skipped.append(frame)

    async def disconnect(self):
        await self.send_input({"type": "websocket.disconnect", "code": 1000})
        await self.wait(2)
