"""Issue 20, isolation: one hostile visitor never hurts another.  NUL and lone surrogates are
refused at the edge with the sender's own error frame; a group commit that the database
refuses is retried member by member; any failure in a socket handler answers with an error
frame and the socket stays open; the flood limit also counts per address and per channel.
Runs on SQLite and PostgreSQL (KEFU_DATABASE_URL)."""

from __future__ import annotations

import asyncio
import json

import pytest
from asgiref.sync import async_to_sync

from kefu.accounts.choices import Presence
from kefu.accounts.models import User
from kefu.conversations import batcher
from kefu.conversations.actions import Post
from kefu.conversations.choices import AuthorKind
from kefu.conversations.models import Message
from kefu.intake.widget import session
from kefu.intake.widget.consumers import WidgetConsumer
from tests.factories import ChannelFactory, ConversationFactory, UserFactory
from tests.ws_support import Socket

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def online_agent(db):
    return UserFactory(role="reception", presence=Presence.ONLINE, username="xiaowang", display_name="小王")


def _visitor(channel_key: str, ip: str = "198.51.100.7") -> Socket:
    ws = Socket(WidgetConsumer, path="/ws/widget/", query=f"channel={channel_key}&lang=en")
    ws.scope["client"] = (ip, 40000)
    return ws


async def _start(ws: Socket) -> None:
    connected, code = await ws.connect()
    assert connected, code
    await ws.send_json_to({"op": "hello"})
    welcome = await ws.receive_json_from()
    assert welcome["type"] == "welcome"


async def _reply(ws: Socket, client_id: str) -> dict:
    frame, _skipped = await ws.receive_until(
        lambda f: f["type"] in ("ack", "error") and f.get("client_id") == client_id, timeout=20
    )
    return frame


@pytest.mark.parametrize("hostile", ["坏\u0000消息", "坏\ud800消息"], ids=["nul", "lone-surrogate"])
def test_one_hostile_visitor_among_fifteen_gets_the_only_error(online_agent, hostile):
    channel = ChannelFactory()

    async def scenario():
        sockets = [_visitor(channel.key, ip=f"198.51.100.{n}") for n in range(15)]
        for ws in sockets:
            await _start(ws)
        # Each visitor first opens a conversation, so the next messages join the group commit.
        for n, ws in enumerate(sockets):
            await ws.send_json_to({"op": "send", "client_id": f"open-{n}", "text": "你好"})
            assert (await _reply(ws, f"open-{n}"))["type"] == "ack"
        # Given fifteen visitors sending at once, one of them hostile,
        for n, ws in enumerate(sockets):
            text = hostile if n == 7 else f"第{n}位访客的消息"
            await ws.send_to(json.dumps({"op": "send", "client_id": f"c-{n}", "text": text}))
        replies = await asyncio.gather(*(_reply(ws, f"c-{n}") for n, ws in enumerate(sockets)))
        # then the hostile socket is still open and usable,
        await sockets[7].send_json_to({"op": "send", "client_id": "after", "text": "正常的话"})
        after = await _reply(sockets[7], "after")
        for ws in sockets:
            await ws.disconnect()
        return replies, after

    replies, after = async_to_sync(scenario)()
    # fourteen are acknowledged, the hostile one alone gets an error frame with its client id,
    assert [r["type"] for r in replies].count("ack") == 14
    assert replies[7]["type"] == "error"
    assert replies[7]["error"] == "invalid_text"
    assert "cannot be stored" in replies[7]["message"]
    assert after["type"] == "ack"
    # and every innocent message is stored once, the hostile one not at all.
    texts = set(Message.objects.values_list("text", flat=True))
    assert {f"第{n}位访客的消息" for n in range(15) if n != 7} <= texts
    assert not any("\x00" in t for t in texts)


def test_a_batch_the_database_refuses_is_retried_one_by_one():
    # Given fifteen messages in one group commit, one of them by an author the database does not
    # know (an agent deleted while sending: the foreign key fails at COMMIT, failing the batch),
    conversations = [ConversationFactory() for _ in range(15)]
    ghost = User(pk=987_654, username="ghost")

    async def scenario():
        posts = [
            Post(
                conversation_id=c.pk,
                author_kind=AuthorKind.AGENT if n == 3 else AuthorKind.CUSTOMER,
                author=ghost if n == 3 else None,
                text=f"消息{n}",
                client_id=f"b-{n}",
            )
            for n, c in enumerate(conversations)
        ]
        return await asyncio.gather(*(batcher.submit(p) for p in posts), return_exceptions=True)

    results = async_to_sync(scenario)()
    # when it is written, only the bad member is refused, with its own error;
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(refused) == 1
    assert isinstance(results[3], batcher.NotStored)
    assert results[3].as_dict()["error"] == "not_stored"
    # the other fourteen are stored and acknowledged.
    assert Message.objects.count() == 14
    assert sorted(Message.objects.values_list("client_id", flat=True)) == sorted(f"b-{n}" for n in range(15) if n != 3)


def test_any_failure_in_a_socket_handler_answers_an_error_frame_and_keeps_the_socket(online_agent, monkeypatch):
    channel = ChannelFactory()

    async def scenario():
        ws = _visitor(channel.key)
        await _start(ws)
        # A deeply nested frame is refused before parsing,
        await ws.send_to('{"op": "send", "text": ' + "[" * 1_000 + "]" * 1_000 + "}")
        deep = await ws.receive_json_from()
        # an id beyond any column is ignored (it used to overflow the query and kill the socket),
        await ws.send_json_to({"op": "read", "upto": 2**70})
        # and an unexpected exception inside a handler (fault injected) is answered, not fatal.
        monkeypatch.setattr(WidgetConsumer, "op_queue", _explode)
        await ws.send_json_to({"op": "queue", "client_id": "q-1"})
        crashed = await ws.receive_json_from()
        await ws.send_json_to({"op": "send", "client_id": "still", "text": "还在吗"})
        still = await _reply(ws, "still")
        await ws.disconnect()
        return deep, crashed, still

    deep, crashed, still = async_to_sync(scenario)()
    assert (deep["type"], deep["error"]) == ("error", "too_deep")
    assert (crashed["type"], crashed["error"], crashed["client_id"]) == ("error", "server_error", "q-1")
    assert crashed["message"]
    assert still["type"] == "ack"


async def _explode(self, content):
    raise RuntimeError("fault injected by the test")


def test_flood_limit_counts_per_address_not_only_per_visitor_id(online_agent, monkeypatch):
    channel = ChannelFactory()
    monkeypatch.setattr(session, "FLOOD_IP", session.FloodGate(rate=0.5, burst=3))

    async def scenario():
        replies = []
        # Given five "new" visitors (fresh visitor ids cost nothing) from one address,
        for n in range(5):
            ws = _visitor(channel.key, ip="203.0.113.9")
            await _start(ws)
            await ws.send_json_to({"op": "send", "client_id": f"f{n}", "text": f"第{n}条"})
            replies.append(await _reply(ws, f"f{n}"))
            await ws.disconnect()
        # while a visitor from another address is not held back.
        other = _visitor(channel.key, ip="203.0.113.10")
        await _start(other)
        await other.send_json_to({"op": "send", "client_id": "o", "text": "别人"})
        replies.append(await _reply(other, "o"))
        await other.disconnect()
        return replies

    replies = async_to_sync(scenario)()
    assert [r["type"] for r in replies] == ["ack", "ack", "ack", "error", "error", "ack"]
    assert replies[3]["error"] == "rate_limited"
    assert replies[3]["retry_after"] > 0


def test_flood_limit_counts_per_channel(online_agent, monkeypatch):
    busy, quiet = ChannelFactory(), ChannelFactory()
    monkeypatch.setattr(session, "FLOOD_CHANNEL", session.FloodGate(rate=0.5, burst=2))

    async def send(channel_key: str, n: int) -> dict:
        ws = _visitor(channel_key, ip=f"192.0.2.{n}")
        await _start(ws)
        await ws.send_json_to({"op": "send", "client_id": f"k{n}", "text": "你好"})
        reply = await _reply(ws, f"k{n}")
        await ws.disconnect()
        return reply

    async def scenario():
        on_busy = [await send(busy.key, n) for n in range(3)]
        on_quiet = await send(quiet.key, 9)
        return on_busy, on_quiet

    on_busy, on_quiet = async_to_sync(scenario)()
    assert [r["type"] for r in on_busy] == ["ack", "ack", "error"]
    assert on_busy[2]["error"] == "rate_limited"
    assert on_quiet["type"] == "ack"


def test_agent_socket_refuses_nul_and_overflowing_ids_and_stays_open():
    from kefu.web.consumers import StreamConsumer

    agent = UserFactory(role="reception")
    conversation = ConversationFactory(assignee=agent)

    async def scenario():
        ws = Socket(StreamConsumer, path="/ws/streams/", user=agent)
        connected, _code = await ws.connect()
        assert connected
        frames = []
        # NUL in the text, an id beyond any column, a subscription from an impossible event id:
        await ws.send_to(
            json.dumps({"op": "send", "conversation": conversation.pk, "client_id": "n", "text": "a\u0000"})
        )
        frames.append(await ws.receive_json_from())
        await ws.send_json_to({"op": "send", "conversation": 2**70, "client_id": "big", "text": "你好"})
        frames.append(await ws.receive_json_from())
        await ws.send_json_to({"op": "subscribe", "stream": conversation.stream_key, "after": 2**70})
        subscribed, _skipped = await ws.receive_until(lambda f: f["type"] == "subscribed")
        # and the socket still carries a good message.
        await ws.send_json_to({"op": "send", "conversation": conversation.pk, "client_id": "ok", "text": "您好"})
        ok, _skipped = await ws.receive_until(lambda f: f["type"] in ("ack", "error") and f.get("client_id") == "ok")
        await ws.disconnect()
        return frames, subscribed, ok

    frames, subscribed, ok = async_to_sync(scenario)()
    assert [(f["error"], f["client_id"]) for f in frames] == [("invalid_text", "n"), ("invalid", "big")]
    assert subscribed["stream"] == conversation.stream_key
    assert ok["type"] == "ack"
    assert list(Message.objects.values_list("text", flat=True)) == ["您好"]
