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
        broken = await ws.receive_json_from(timeout=5)
        assert (broken["type"], broken["error"]) == ("error", "invalid_json")
        assert broken["message"]  # said in words, too
        await ws.send_json_to({"op": "subscribe", "stream": "secret:1"})
        assert (await ws.receive_json_from(timeout=5))["error"] == "forbidden"
        await ws.send_json_to({"op": "dance"})
        assert (await ws.receive_json_from(timeout=5))["error"] == "unknown_op"
        await ws.disconnect()

    async_to_sync(scenario)()


def test_inbox_doorbells_of_colleagues_chats_are_folded_into_one_change(monkeypatch):
    from kefu.conversations.actions import do_assign
    from kefu.web.consumers import StreamConsumer

    monkeypatch.setattr(StreamConsumer, "INBOX_COALESCE", 0.2)
    me, colleague = UserFactory(role="reception"), UserFactory(role="reception")
    mine, theirs = ConversationFactory(), ConversationFactory()
    do_assign(mine, assignee=me, team=None, actor=None, now=clock.now())
    do_assign(theirs, assignee=colleague, team=None, actor=None, now=clock.now())

    async def scenario():
        ws = _communicator(me)
        await ws.connect()
        await ws.send_json_to({"op": "subscribe", "stream": "inbox"})
        await ws.receive_json_from()  # subscribed
        # Given a burst in a colleague's chat, then a message in mine
        for n in range(5):
            await sync_to_async(do_post_message)(theirs, author_kind="customer", text=f"第{n}条", now=clock.now())
        await sync_to_async(do_post_message)(mine, author_kind="customer", text="在吗", now=clock.now())
        seen = {"mine": False, "changed": False}
        frames = []

        def done(frame):
            frames.append(frame)
            seen["mine"] |= frame.get("conversation") == mine.pk and frame["type"] == "message"
            seen["changed"] |= frame["type"] == "inbox"
            return seen["mine"] and seen["changed"]

        await ws.receive_until(done, timeout=3)
        quiet = await ws.receive_nothing(timeout=0.6)
        await ws.disconnect()
        return frames, quiet

    frames, quiet = async_to_sync(scenario)()
    assert quiet  # nothing more after the one "changed"
    # Then mine arrives as it is, the colleague's five as one "changed"
    assert [f for f in frames if f.get("conversation") == mine.pk and f["type"] == "message"]
    assert not [f for f in frames if f.get("conversation") == theirs.pk]
    assert [f["type"] for f in frames].count("inbox") == 1
