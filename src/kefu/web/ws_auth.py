"""WebSocket authentication by API token (``Authorization: Bearer …`` on the handshake),
for programs such as ``kefu bench chat``; browsers use the session cookie as before."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware

from kefu.accounts.selectors import user_for_token


class BearerTokenMiddleware(BaseMiddleware):
    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        user = scope.get("user")
        if user is None or not user.is_authenticated:
            headers = dict(scope.get("headers") or [])
            raw = headers.get(b"authorization", b"").decode("latin-1")
            if raw.startswith("Bearer "):
                found = await database_sync_to_async(user_for_token)(raw.removeprefix("Bearer ").strip())
                if found is not None:
                    scope = {**scope, "user": found}
        return await super().__call__(scope, receive, send)
