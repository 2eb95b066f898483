"""WebSocket for the agent workspace: subscribe to numbered streams and catch up.

Client → server: ``{"op": "subscribe", "stream": "conversation:42", "after": 17}``.
Server → client: every event of the stream after id 17 from the database, then live
events as they are published (docs/architecture.md, "Real-time events").
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import override

from kefu.conversations import batcher
from kefu.conversations.actions import INBOX_STREAM, Post, check_add_note, check_send_reply
from kefu.conversations.models import Conversation
from kefu.conversations.visitors import mark_read
from kefu.core import inputs, params
from kefu.core.actions import has_perm, require
from kefu.core.errors import KefuError, NotFound, ValidationFailed
from kefu.core.events import events_since, group_name
from kefu.core.sockets import NoConnectionResetMixin

BACKLOG_PAGE = 500
MAX_FRAME = 64 * 1024
MAX_DEPTH = 8
log = logging.getLogger(__name__)
STREAM_PERMS = {
    "conversation": "conversations.view_conversation",
    "ticket": "tickets.view_ticket",
    "inbox": "conversations.view_conversation",
    "agents": "accounts.view_user",
}


class StreamConsumer(NoConnectionResetMixin, AsyncJsonWebsocketConsumer):
    INBOX_COALESCE = 1.0  # seconds: at most one "inbox changed" a second for others' traffic

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.user = user
        self.streams: set[str] = set()
        self._inbox_dirty = False
        self._inbox_flush: asyncio.TimerHandle | None = None
        self.language = getattr(user, "language", "") or settings.LANGUAGE_CODE
        await self.accept()

    async def disconnect(self, code: int) -> None:
        flush = getattr(self, "_inbox_flush", None)
        if flush is not None:
            flush.cancel()
        for stream in getattr(self, "streams", set()):
            await self.channel_layer.group_discard(group_name(stream), self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any) -> None:
        """Every frame is measured, parsed and checked at the edge (:mod:`kefu.core.inputs`);
        any failure answers with an error frame and the socket stays open."""
        content: Any = None
        try:
            content = inputs.loads(text_data or "", max_bytes=MAX_FRAME, max_depth=MAX_DEPTH, check=False)
            if not isinstance(content, dict):
                await self.send_json({"type": "error", "error": "invalid_message"})
                return
            with override(self.language):
                inputs.check_tree(content)
            await self.receive_json(content)
        except inputs.NotJson as exc:
            with override(self.language):
                await self.send_json({"type": "error", "error": "invalid_json", "message": str(exc.message)})
        except KefuError as exc:
            with override(self.language):
                error = exc.as_dict()
            if isinstance(content, dict) and "client_id" in content:
                error["client_id"] = str(content["client_id"])[:64]
            await self.send_json({"type": "error", **error})
        except Exception:
            log.exception("stream socket: a frame failed")
            with override(self.language):
                error = {
                    "type": "error",
                    "error": "server_error",
                    "message": _("Something went wrong on our side; please try again."),
                }
            if isinstance(content, dict) and "client_id" in content:
                error["client_id"] = str(content["client_id"])[:64]
            await self.send_json(error)

    async def receive_json(self, content: dict[str, Any], **kwargs: Any) -> None:
        op = content.get("op")
        if op in ("send", "typing", "read"):
            await getattr(self, f"op_{op}")(content)
            return
        if op != "subscribe" or not isinstance(content.get("stream"), str):
            await self.send_json({"type": "error", "error": "unknown_op"})
            return
        stream = content["stream"][:100]
        kind = stream.split(":", 1)[0]
        perm = STREAM_PERMS.get(kind)
        if perm is None or not await database_sync_to_async(has_perm)(self.user, perm):
            await self.send_json({"type": "error", "error": "forbidden", "stream": stream})
            return
        after = content.get("after", 0)
        after = after if isinstance(after, int) and 0 <= after <= params.ID_MAX else 0
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
        event = message["event"]
        if event.get("stream") == INBOX_STREAM and not self._concerns_me(event):
            # Someone else's traffic: every agent page hears every message of the whole centre,
            # so those doorbells are folded into at most one "the inbox changed" a second.
            self._inbox_dirty = True
            if self._inbox_flush is None:
                self._inbox_flush = asyncio.get_running_loop().call_later(
                    self.INBOX_COALESCE, lambda: asyncio.ensure_future(self._flush_inbox())
                )
            return
        await self.send_json(event)

    def _concerns_me(self, event: dict[str, Any]) -> bool:
        """Doorbells an agent must hear at once: their own chats, new arrivals, a ringing phone."""
        if event.get("type") == "call":
            return True
        if event.get("type") == "conversation" and event.get("op") == "created":
            return True
        return event.get("assignee") in (None, self.user.pk)

    async def _flush_inbox(self) -> None:
        self._inbox_flush = None
        if self._inbox_dirty:
            self._inbox_dirty = False
            await self.send_json({"type": "inbox", "op": "changed", "id": None, "stream": INBOX_STREAM})

    async def stream_typing(self, message: dict[str, Any]) -> None:
        if message.get("side") == "visitor":
            await self.send_json(
                {"type": "typing", "side": "visitor", "typing": message.get("typing"), "stream": message.get("stream")}
            )

    async def stream_read(self, message: dict[str, Any]) -> None:
        if message.get("side") == "visitor":
            await self.send_json(
                {"type": "read", "side": "visitor", "upto": message.get("upto"), "stream": message.get("stream")}
            )

    # ---- live chat: agents send, type and read over the same socket ---------------------

    async def op_send(self, content: dict[str, Any]) -> None:
        """``{"op": "send", "conversation": 42, "client_id": "…", "text": "…", "internal": false}``
        → ``{"type": "ack", "client_id", "message", "conversation"}`` once it is committed.

        The same actions as the page's and the API's send (:func:`check_send_reply`, :func:`check_add_note`:
        the permission, the text, the reply standards), on the thread pool rather than the one thread the
        group commit writes on; they hand the checked message to the group commit instead of storing it
        in a transaction of its own."""
        client_id = str(content.get("client_id") or "")[:64]
        conversation_id = content.get("conversation")
        text = content.get("text")
        with override(self.language):
            if not isinstance(conversation_id, int) or not isinstance(text, str):
                raise ValidationFailed(_("Say which conversation and what text."))
            params.object_id(conversation_id, field="conversation")
        send = check_add_note if content.get("internal") else check_send_reply

        def check() -> Post:
            with override(self.language):
                conversation = Conversation(pk=conversation_id)  # the group commit reads and locks it
                checked: Post = send(conversation, text, actor=self.user, client_id=client_id, submit=_checked)
                return checked

        post = await database_sync_to_async(check, thread_sensitive=False)()
        message, _created, _conversation = await batcher.submit(post)
        await self.send_json(
            {"type": "ack", "client_id": client_id, "message": message.pk, "conversation": conversation_id}
        )

    async def op_typing(self, content: dict[str, Any]) -> None:
        stream = f"conversation:{content.get('conversation')}"
        if stream in self.streams and not content.get("internal"):
            await self.channel_layer.group_send(
                group_name(stream),
                {
                    "type": "stream.typing",
                    "side": "agent",
                    "name": str(self.user),
                    "typing": bool(content.get("typing", True)),
                },
            )

    async def op_read(self, content: dict[str, Any]) -> None:
        conversation_id, upto = content.get("conversation"), content.get("upto")
        if not isinstance(conversation_id, int) or not isinstance(upto, int):
            return
        if not (0 < conversation_id <= params.ID_MAX and 0 <= upto <= params.ID_MAX):
            return

        def mark() -> bool:
            conversation = _visible_conversation(self.user, conversation_id)
            return mark_read(conversation, upto, side="agent")

        if await database_sync_to_async(mark)():
            await self.channel_layer.group_send(
                group_name(f"conversation:{conversation_id}"), {"type": "stream.read", "side": "agent", "upto": upto}
            )


def _checked(post: Post) -> Post:
    """The socket's ``submit``: the action returns the checked message, which the socket hands to the
    group commit on the event loop."""
    return post


def _visible_conversation(user: Any, conversation_id: int) -> Conversation:
    require(user, "conversations.view_conversation")
    conversation = Conversation.objects.filter(pk=conversation_id).first()
    if conversation is None:
        raise NotFound(_("No such conversation."))
    return conversation


class BenchEchoConsumer(AsyncJsonWebsocketConsumer):
    """The baseline of ``kefu bench chat``: the same traffic through a bare Channels consumer
    and the same channel layer, touching no database after the handshake.

    ``/ws/bench-echo/?pair=N&side=visitor|agent``; every frame is relayed to the pair's other
    side.  Staff only (session or bearer token), like the streams socket."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_staff:
            await self.close(code=4403)
            return
        query = dict(
            pair.split("=", 1) for pair in self.scope.get("query_string", b"").decode().split("&") if "=" in pair
        )
        self.side = query.get("side", "visitor")
        self.group = "bench-echo." + "".join(c for c in query.get("pair", "0") if c.isalnum())[:20]
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        await self.send_json({"type": "ack", "client_id": content.get("client_id")})
        await self.channel_layer.group_send(self.group, {"type": "echo.frame", "side": self.side, "frame": content})

    async def echo_frame(self, message: dict[str, Any]) -> None:
        if message["side"] != self.side:
            await self.send_json({"type": "message", "message": message["frame"]})
