"""The real-time contract over WebSocket: subscribe, catch up after a reconnect, live events."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from asgiref.testing import ApplicationCommunicator

from kefu.conversations.actions import do_post_message
from kefu.core import clock
from tests.factories import ConversationFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


class Socket(ApplicationCommunicator):
    """A WebSocket client speaking ASGI to the consumer (the user is put in the scope, as
    the auth middleware of the real app does)."""

    def __init__(self, user):
        from kefu.web.consumers import StreamConsumer

        scope = {"type": "websocket", "path": "/ws/streams/", "headers": [], "subprotocols": [], "user": user}
        super().__init__(StreamConsumer.as_asgi(), scope)

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

    async def disconnect(self):
        await self.send_input({"type": "websocket.disconnect", "code": 1000})
        await self.wait(2)


def _communicator(user):
    return Socket(user)


def test_reconnecting_client_gets_exactly_what_it_missed_then_live_events():
    agent = UserFactory(role="reception")
    conversation = ConversationFactory()
    for text in ("你好", "在吗", "想问一下退货"):
        do_post_message(conversation, author_kind="customer", text=text, now=clock.now())

    async def scenario():
        ws = _communicator(agent)
        connected, _ = await ws.connect()
        assert connected
        # Given a client that saw event 1 before it lost its connection,
        await ws.send_json_to({"op": "subscribe", "stream": conversation.stream_key, "after": 1})
        # when it subscribes again, then it receives events 2 and 3 from the database, in order,
        backlog = [await ws.receive_json_from(timeout=5) for _ in range(3)]
        assert [e.get("id") for e in backlog[:2]] == [2, 3]
        assert [e["message"]["text"] for e in backlog[:2]] == ["在吗", "想问一下退货"]
        assert backlog[2] == {"type": "subscribed", "stream": conversation.stream_key}
        # and a message written afterwards arrives live with the next id.
        await sync_to_async(do_post_message)(conversation, author_kind="agent", text="您好！", now=clock.now())
        live = await ws.receive_json_from(timeout=5)
        assert (live["id"], live["type"], live["op"], live["message"]["text"]) == (4, "message", "created", "您好！")
        await ws.disconnect()

    async_to_sync(scenario)()


def test_anonymous_sockets_are_closed_and_bad_frames_answered():
    from django.contrib.auth.models import AnonymousUser

    agent = UserFactory(role="reception")

    async def scenario():
        anonymous = _communicator(AnonymousUser())
        connected, code = await anonymous.connect()
        assert not connected
        assert code == 4401
        ws = _communicator(agent)
        await ws.connect()
        await ws.send_to(text_data="{not json")
        assert await ws.receive_json_from(timeout=5) == {"type": "error", "error": "invalid_json"}
        await ws.send_json_to({"op": "subscribe", "stream": "secret:1"})
        assert (await ws.receive_json_from(timeout=5))["error"] == "forbidden"
        await ws.send_json_to({"op": "dance"})
        assert (await ws.receive_json_from(timeout=5))["error"] == "unknown_op"
        await ws.disconnect()

    async_to_sync(scenario)()
