"""The visitor's WebSocket: ``/ws/widget/?channel=KEY`` (docs/widget.md has the protocol).

Thin edge: verify who the visitor is, call :mod:`kefu.conversations.visitors`, forward the
visitor-visible events of their conversation stream.  A message is acknowledged only after
it is committed; after a reconnect the client says ``after`` (the last event id it saw)
and gets exactly what it missed from the database.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.utils.translation import gettext_lazy, override

from kefu.conversations import batcher, visitors
from kefu.conversations.actions import Post, validate_text
from kefu.conversations.choices import AuthorKind
from kefu.conversations.models import Conversation
from kefu.conversations.router import queue_position
from kefu.core import clock, inputs, params
from kefu.core.errors import InvalidTransition, KefuError, NotFound, ValidationFailed
from kefu.core.events import events_since, group_name
from kefu.core.sockets import NoConnectionResetMixin
from kefu.intake.widget import session

BACKLOG_PAGE = 500
MAX_FRAME = 64 * 1024
MAX_DEPTH = 8  # the widget's frames are flat objects
log = logging.getLogger(__name__)


def _language(requested: str) -> str:
    """zh-Hans or zh-Hant by the browser's language, English otherwise."""
    lang = (requested or "").lower()
    if not lang or lang.startswith("zh"):
        return "zh-hant" if any(t in lang for t in ("hant", "tw", "hk", "mo")) else "zh-hans"
    return "en"


TOO_LARGE = gettext_lazy("Message too large.")
BROKEN = gettext_lazy("Broken message.")
TOO_FAST = gettext_lazy("You are sending messages too fast; please wait a moment.")
FAILED = gettext_lazy("Something went wrong on our side; please try again.")
NEED_CONTACT = gettext_lazy("Please tell us your name or phone number.")


class WidgetConsumer(NoConnectionResetMixin, AsyncJsonWebsocketConsumer):
    conversation_id: int | None = None
    visitor: visitors.Visitor | None = None

    async def connect(self) -> None:
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        key = (query.get("channel") or [""])[0]
        self.language = _language((query.get("lang") or [""])[0])
        try:
            self.channel = await database_sync_to_async(session.channel_for)(key)
        except KefuError:
            await self.close(code=4404)
            return
        self.stream: str | None = None
        await self.accept()

    async def disconnect(self, code: int) -> None:
        stream = getattr(self, "stream", None)
        if stream:
            await self.channel_layer.group_discard(group_name(stream), self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any) -> None:
        """One frame: measured, parsed and checked at the edge (:mod:`kefu.core.inputs`), then
        handled.  Whatever goes wrong answers with an error frame; the socket stays open."""
        content: Any = None
        try:
            if text_data is None:
                raise inputs.TooLarge(str(TOO_LARGE))
            try:
                content = inputs.loads(text_data, max_bytes=MAX_FRAME, max_depth=MAX_DEPTH, check=False)
            except inputs.TooLarge:
                raise inputs.TooLarge(str(TOO_LARGE)) from None
            await self._dispatch(content)
        except inputs.NotJson:
            await self.send_json({"type": "error", "error": "invalid_json", "message": self._t(BROKEN)})
        except KefuError as exc:
            with override(self.language):
                error = exc.as_dict()
            if isinstance(content, dict) and "client_id" in content:
                error["client_id"] = _str(content["client_id"])[:64]
            await self.send_json({"type": "error", **error})
        except Exception:
            log.exception("widget socket: a frame failed")
            error = {"type": "error", "error": "server_error", "message": self._t(FAILED)}
            if isinstance(content, dict) and "client_id" in content:
                error["client_id"] = _str(content["client_id"])[:64]
            await self.send_json(error)

    async def _dispatch(self, content: Any) -> None:
        if not isinstance(content, dict):
            await self.send_json({"type": "error", "error": "invalid_message"})
            return
        op = content.get("op")
        handler = {
            "hello": self.op_hello,
            "send": self.op_send,
            "typing": self.op_typing,
            "read": self.op_read,
            "prechat": self.op_prechat,
            "queue": self.op_queue,
        }.get(op if isinstance(op, str) else "")
        if handler is None:
            await self.send_json({"type": "error", "error": "unknown_op"})
            return
        if op != "hello" and self.visitor is None:
            await self.send_json({"type": "error", "error": "hello_first"})
            return
        with override(self.language):
            inputs.check_tree(content)  # NUL and lone surrogates are refused, in the visitor's language
        await handler(content)

    def _t(self, text: Any) -> str:
        with override(self.language):
            return str(text)

    # ---- operations ------------------------------------------------------------------

    async def op_hello(self, content: dict[str, Any]) -> None:
        def load() -> tuple[visitors.Visitor, str, dict[str, Any], int | None]:
            now = clock.now()
            visitor, token = session.visitor_for(
                self.channel, _str(content.get("visitor")), _str(content.get("customer_token")), now=now
            )
            customer = visitors.find_customer(visitor)
            conversation = None
            if customer is not None:
                conversation = visitors.current_conversation(customer, self.channel, _int(content.get("conversation")))
            if conversation is not None:
                conversation = Conversation.objects.select_related("assignee").get(pk=conversation.pk)
            with override(self.language):
                state = session.welcome(self.channel, conversation, now=now)
            return visitor, token, state, conversation.pk if conversation else None

        with override(self.language):
            visitor, token, state, conversation_id = await database_sync_to_async(load)()
        self.visitor = visitor
        await self.send_json({"type": "welcome", "visitor": token, **state})
        if conversation_id is not None:
            await self._follow(conversation_id, _int(content.get("after")) or 0)

    async def op_send(self, content: dict[str, Any]) -> None:
        client_id = _str(content.get("client_id"))[:64]
        client = self.scope.get("client") or ("", 0)
        wait = session.flood_wait(self.visitor.visitor_id, str(client[0]), self.channel.key)  # type: ignore[union-attr]
        if wait:
            await self.send_json(
                {
                    "type": "error",
                    "error": "rate_limited",
                    "retry_after": round(wait, 1),
                    "client_id": client_id,
                    "message": self._t(TOO_FAST),
                }
            )
            return

        text = _str(content.get("text"))
        with override(self.language):
            validate_text(text, ())  # bad input is refused here, in the visitor's language
        if self.conversation_id:
            # The usual case: the visitor's conversation is known, the message joins the
            # group commit with everyone else's.  A closed or vanished conversation takes
            # the full path below, which starts a new one.
            post = Post(
                conversation_id=self.conversation_id,
                author_kind=AuthorKind.CUSTOMER,
                text=text,
                client_id=client_id,
            )
            try:
                message, _created, _conversation = await batcher.submit(post)
            except (InvalidTransition, NotFound):
                pass  # closed or gone: the full path below starts a new conversation
            else:
                await self.send_json(
                    {"type": "ack", "client_id": client_id, "message": message.pk, "conversation": self.conversation_id}
                )
                return

        def store() -> tuple[int, int]:
            with override(self.language):
                conversation, message, _created = visitors.post(
                    self.visitor,  # type: ignore[arg-type]
                    text=text,
                    now=clock.now(),
                    client_id=client_id,
                    conversation_id=self.conversation_id,
                )
            return conversation.pk, message.pk

        conversation_id, message_id = await database_sync_to_async(store)()
        await self.send_json(
            {"type": "ack", "client_id": client_id, "message": message_id, "conversation": conversation_id}
        )
        if conversation_id != self.conversation_id:
            await self._follow(conversation_id, _int(content.get("after")) or 0)

    async def op_typing(self, content: dict[str, Any]) -> None:
        if self.stream:
            await self.channel_layer.group_send(
                group_name(self.stream),
                {
                    "type": "stream.typing",
                    "side": "visitor",
                    "name": "",
                    "typing": bool(content.get("typing", True)),
                    "stream": self.stream,
                },
            )

    async def op_read(self, content: dict[str, Any]) -> None:
        upto = _int(content.get("upto"))
        if not self.conversation_id or not upto:
            return
        conversation = Conversation(pk=self.conversation_id)
        changed = await database_sync_to_async(visitors.mark_read)(conversation, upto, side="visitor")
        if changed and self.stream:
            await self.channel_layer.group_send(
                group_name(self.stream), {"type": "stream.read", "side": "visitor", "upto": upto, "stream": self.stream}
            )

    async def op_prechat(self, content: dict[str, Any]) -> None:
        def store() -> None:
            with override(self.language):
                name = _str(content.get("name")).strip()[:80]
                phone = _str(content.get("phone")).strip()[:40]
                if not name and not phone:
                    raise ValidationFailed(str(NEED_CONTACT))
                visitors.identify(self.visitor, now=clock.now(), name=name, phone=phone)  # type: ignore[arg-type]

        await database_sync_to_async(store)()
        await self.send_json({"type": "prechat", "ok": True})

    async def op_queue(self, content: dict[str, Any]) -> None:
        conversation_id = self.conversation_id
        if not conversation_id:
            await self.send_json({"type": "queue", "position": 0})
            return

        def position() -> dict[str, Any]:
            conversation = Conversation.objects.select_related("assignee").get(pk=conversation_id)
            return {"position": queue_position(conversation), "agent": session.agent_name(conversation)}

        await self.send_json({"type": "queue", **await database_sync_to_async(position)()})

    # ---- the conversation stream ------------------------------------------------------

    async def _follow(self, conversation_id: int, after: int) -> None:
        """Join the conversation's doorbell group, then send what the visitor missed."""
        if self.stream:
            await self.channel_layer.group_discard(group_name(self.stream), self.channel_name)
        self.conversation_id = conversation_id
        self.stream = f"conversation:{conversation_id}"
        await self.channel_layer.group_add(group_name(self.stream), self.channel_name)
        while True:
            page = await database_sync_to_async(events_since)(self.stream, after, limit=BACKLOG_PAGE)
            for event in page:
                visible = session.visitor_event(event)
                if visible is not None:
                    await self.send_json(visible)
            if page:
                after = page[-1]["id"]
            if len(page) < BACKLOG_PAGE:
                break
        await self.send_json({"type": "caught_up", "conversation": conversation_id, "after": after})

    async def stream_event(self, message: dict[str, Any]) -> None:
        visible = session.visitor_event(message["event"])
        if visible is not None:
            await self.send_json(visible)

    async def stream_typing(self, message: dict[str, Any]) -> None:
        if message.get("side") == "agent":
            await self.send_json({"type": "typing", "name": message.get("name", ""), "typing": message.get("typing")})

    async def stream_read(self, message: dict[str, Any]) -> None:
        if message.get("side") == "agent":
            await self.send_json({"type": "read", "upto": message.get("upto")})


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _int(value: Any) -> int | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= params.ID_MAX
    return value if ok else None
