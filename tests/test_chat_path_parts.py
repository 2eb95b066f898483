"""The parts the live-chat path is made of (docs/benchmarks.md, "The chat path's regression, found"): the
plain multi-row INSERT, the embedded layer's group_send, doorbells handed from a thread to the event loop,
the write-ahead-log checkpoint thread, and the agent socket sending through the same action as the API."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.db import connection

from kefu.conversations.models import Message
from kefu.core.bulk import insert_rows
from kefu.core.events import group_name, ring_after_commit
from kefu.core.layers import InMemoryChannelLayer
from kefu.core.models import StreamEvent
from tests.factories import ConversationFactory, UserFactory


@pytest.mark.django_db
def test_insert_rows_stores_every_value_and_sets_the_keys_in_order():
    conversation = ConversationFactory()
    agent = UserFactory()
    at = dt.datetime(2026, 12, 6, 5, 0, 1, 123456, tzinfo=dt.UTC)
    made = [
        Message(conversation=conversation, author_kind="customer", text="你好", client_id="a", created_at=at),
        Message(
            conversation=conversation, author_kind="agent", author=agent, text="在的", is_internal=True, created_at=at
        ),
    ]
    insert_rows(made, returning_pk=True)
    assert made[0].pk
    assert made[1].pk > made[0].pk
    stored = {m.pk: m for m in Message.objects.filter(conversation=conversation)}
    assert stored[made[0].pk].text == "你好"
    assert stored[made[0].pk].client_id == "a"
    assert stored[made[1].pk].author == agent
    assert stored[made[1].pk].is_internal is True
    assert stored[made[1].pk].created_at == at
    events = [
        StreamEvent(
            stream_key="s:1", seq=n, type="message", op="created", payload={"n": n, "文字": [1, None]}, created_at=at
        )
        for n in (1, 2)
    ]
    insert_rows(events)
    assert [e.payload for e in StreamEvent.objects.filter(stream_key="s:1").order_by("seq")] == [
        {"n": 1, "文字": [1, None]},
        {"n": 2, "文字": [1, None]},
    ]


@pytest.mark.django_db
def test_insert_rows_splits_what_one_statement_cannot_hold(monkeypatch):
    conversation = ConversationFactory()
    at = dt.datetime(2026, 12, 6, tzinfo=dt.UTC)
    monkeypatch.setattr(type(connection.features), "max_query_params", 20, raising=False)
    made = [Message(conversation=conversation, author_kind="customer", text=str(n), created_at=at) for n in range(9)]
    insert_rows(made, returning_pk=True)  # 7 values a row: 2 rows a statement
    assert [Message.objects.get(pk=m.pk).text for m in made] == [str(n) for n in range(9)]


def test_group_send_gives_each_member_its_own_copy_and_no_one_else():
    layer = InMemoryChannelLayer()

    async def scenario():
        a, b, c = [await layer.new_channel() for _ in range(3)]
        await layer.group_add("g", a)
        await layer.group_add("g", b)
        message = {"type": "stream.event", "event": {"id": 1}}
        await layer.group_send("g", message)
        got_a, got_b = await layer.receive(a), await layer.receive(b)
        got_a["event"]["id"] = 99  # one member's changes reach no one else
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(layer.receive(c), 0.05)
        return got_a, got_b, message

    got_a, got_b, message = async_to_sync(scenario)()
    assert got_b == {"type": "stream.event", "event": {"id": 1}} == message
    assert got_a["event"]["id"] == 99


@pytest.mark.django_db(transaction=True)
def test_doorbells_from_a_thread_reach_the_loop_in_order(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "kefu.core.layers.InMemoryChannelLayer"}}
    from channels.layers import channel_layers, get_channel_layer

    channel_layers.backends.clear()
    layer = get_channel_layer()

    def commit_three() -> None:  # a thread of the loop, as the group commit is
        from django.db import transaction

        for n in range(3):
            with transaction.atomic():
                ring_after_commit("conversation:7", {"id": n})

    async def scenario():
        channel = await layer.new_channel()
        await layer.group_add(group_name("conversation:7"), channel)
        await sync_to_async(commit_three)()
        return [(await asyncio.wait_for(layer.receive(channel), 2))["event"]["id"] for _ in range(3)]

    assert async_to_sync(scenario)() == [0, 1, 2]
    channel_layers.backends.clear()


@pytest.mark.django_db(transaction=True)
def test_the_checkpoint_thread_takes_over_from_the_commits():
    from django.db import connections

    from kefu.core.runtime import WalCheckpointer

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    checkpointer = WalCheckpointer(every=0.05)
    checkpointer.start()
    try:
        made = connections.create_connection("default")  # a connection made while it runs
        try:
            with made.cursor() as cursor:
                cursor.execute("PRAGMA wal_autocheckpoint")
                assert cursor.fetchone()[0] == 0
        finally:
            made.close()
    finally:
        checkpointer.stop()
        checkpointer.join(2)
        from django.db.backends.signals import connection_created

        connection_created.disconnect(dispatch_uid="kefu-wal-checkpoint")
    assert not checkpointer.is_alive()
