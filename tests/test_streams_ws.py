"""The real-time contract over WebSocket: subscribe, catch up after a reconnect, live events."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync, sync_to_async

from kefu.conversations.actions import do_post_message
from kefu.core import clock
from tests.factories import ConversationFactory, UserFactory
from tests.ws_support import Socket

pytestmark = pytest.mark.django_db(transaction=True)


def _communicator(user):
    from kefu.web.consumers import StreamConsumer

    return Socket(StreamConsumer, path="/ws/streams/", user=user)


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
