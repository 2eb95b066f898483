"""No lost, no duplicated message: across a SIGKILL of the server in mid-conversation, and
between a visitor and an agent connected to two different ``kefu web`` processes (Redis).

These run real server processes (``kefu serve`` / ``kefu web``) on their own database.
"""

from __future__ import annotations

import asyncio
import os

import pytest

from tests.process_support import Client, Server, free_port, installation

pytestmark = [pytest.mark.slow]


def redis_available(url: str) -> bool:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        return False
    finally:
        client.close()
    return True


REDIS_URL = os.environ.get("KEFU_REDIS_URL") or "redis://127.0.0.1:6379/0"


def everything(visitor: Client, agent: Client) -> set[int]:
    return set(visitor.acked.values()) | set(agent.acked.values())


def assert_exactly_once(visitor: Client, agent: Client) -> None:
    """Everything each side sent was stored once and reached the other side once."""
    assert not visitor.unacked, f"visitor messages never acknowledged: {list(visitor.unacked)}"
    assert not agent.unacked, f"agent messages never acknowledged: {list(agent.unacked)}"
    assert visitor.duplicates == []
    assert agent.duplicates == []
    by_client_id = {}
    for message in agent.received.values():  # the agent sees the whole conversation
        if message["client_id"]:
            assert message["client_id"] not in by_client_id, f"stored twice: {message['client_id']}"
            by_client_id[message["client_id"]] = message["id"]
    assert set(visitor.acked) <= set(by_client_id), "a visitor message is missing"
    missing = {c: agent.acked[c] for c in set(agent.acked) - set(by_client_id)}
    assert not missing, f"agent messages missing from the agent's view: {missing}, received {sorted(agent.received)}"
    for client_id, message_id in visitor.acked.items():
        assert by_client_id[client_id] == message_id
    agent_ids = set(agent.acked.values())
    assert agent_ids <= set(visitor.received), "the visitor missed an agent message"
    assert set(visitor.acked.values()) <= set(agent.received), "the agent missed a visitor message"


def test_sigkill_mid_conversation_loses_and_duplicates_nothing(tmp_path):
    with installation(tmp_path) as inst:
        server = Server(inst, free_port()).start()
        try:

            async def scenario() -> tuple[Client, Client]:
                visitor = Client(server.url, "visitor")
                agent = Client(server.url, "agent", token=inst.token)
                await visitor.connect()
                await visitor.until(lambda: bool(visitor.visitor))
                await visitor.send("你好，我想问一下退货")
                await visitor.until(lambda: not visitor.unacked)
                await agent.connect()
                await agent.subscribe(visitor.conversation)
                for n in range(5):  # a normal exchange
                    await visitor.send(f"访客消息 {n}")
                    await agent.send(f"客服回复 {n}")
                    await visitor.until(lambda: not visitor.unacked)
                    await agent.until(lambda: not agent.unacked)
                await visitor.pump(0.5)
                await agent.pump(0.5)
                # In the middle of a burst, the server dies without a chance to clean up.
                for n in range(5, 10):
                    await visitor.send(f"访客消息 {n}")
                    await agent.send(f"客服回复 {n}")
                await asyncio.sleep(0.05)
                server.kill()
                await visitor.pump(0.3)
                await agent.pump(0.3)
                await visitor.close()
                await agent.close()
                # The server comes back; both sides reconnect, catch up and resend what was not acknowledged.
                server.start()
                await visitor.connect()
                await agent.connect()
                await visitor.until(lambda: bool(visitor.visitor))
                await visitor.resend()
                await agent.resend()
                await visitor.until(lambda: not visitor.unacked)
                await agent.until(lambda: not agent.unacked)
                for n in range(10, 13):  # and the conversation goes on
                    await visitor.send(f"访客消息 {n}")
                    await agent.send(f"客服回复 {n}")
                await visitor.until(lambda: not visitor.unacked)
                await agent.until(lambda: not agent.unacked)
                await visitor.until(lambda: everything(visitor, agent) <= set(visitor.received))
                await agent.until(lambda: everything(visitor, agent) <= set(agent.received))
                await visitor.close()
                await agent.close()
                return visitor, agent

            visitor, agent = asyncio.run(scenario())
        finally:
            server.stop()

        assert len(visitor.acked) == 14
        assert len(agent.acked) == 13
        assert_exactly_once(visitor, agent)

        # A fresh look at the whole stream from the database agrees: each message once.
        async def full_history() -> Client:
            viewer = Client(server.url, "agent", token=inst.token)
            await viewer.connect()
            await viewer.subscribe(visitor.conversation)
            await viewer.until(lambda: len(viewer.received) >= 27)
            await viewer.pump(0.3)
            await viewer.close()
            return viewer

        server.start()
        try:
            viewer = asyncio.run(full_history())
        finally:
            server.stop()
        texts = sorted(m["text"] for m in viewer.received.values())
        assert len(texts) == len(set(texts)) == 27


@pytest.mark.skipif(not redis_available(REDIS_URL), reason=f"Redis not reachable at {REDIS_URL}")
def test_visitor_and_agent_on_two_web_processes_talk_through_redis(tmp_path):
    with installation(tmp_path, redis_url=REDIS_URL) as inst:
        first = Server(inst, free_port(), command="web").start()
        second = Server(inst, free_port(), command="web").start()
        try:

            async def scenario() -> tuple[Client, Client]:
                visitor = Client(first.url, "visitor")
                agent = Client(second.url, "agent", token=inst.token)
                await visitor.connect()
                await visitor.until(lambda: bool(visitor.visitor))
                await visitor.send("你好，在吗？")
                await visitor.until(lambda: not visitor.unacked)
                await agent.connect()
                await agent.subscribe(visitor.conversation)
                await agent.until(lambda: set(visitor.acked.values()) <= set(agent.received))
                for n in range(10):
                    await visitor.send(f"问题 {n}")
                    await agent.send(f"回答 {n}")
                await visitor.until(lambda: not visitor.unacked)
                await agent.until(lambda: not agent.unacked)
                # Live delivery across processes (the catch-up ran once, at subscribe time).
                await visitor.until(lambda: everything(visitor, agent) <= set(visitor.received), timeout=10)
                await agent.until(lambda: everything(visitor, agent) <= set(agent.received), timeout=10)
                await visitor.close()
                await agent.close()
                return visitor, agent

            visitor, agent = asyncio.run(scenario())
        finally:
            first.stop()
            second.stop()
        assert len(visitor.acked) == 11
        assert len(agent.acked) == 10
        assert_exactly_once(visitor, agent)
