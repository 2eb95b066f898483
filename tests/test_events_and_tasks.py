import pytest
from django.db import transaction

from kefu.core import clock
from kefu.core.events import events_since, publish, publish_on_commit
from kefu.core.tasks import Task, sweep_once, task
from tests.factories import ConversationFactory

pytestmark = pytest.mark.django_db


def test_stream_ids_grow_by_one_per_stream_and_catch_up_returns_the_rest():
    # Given two streams, when events are published, then each stream numbers its own from 1.
    now = clock.now()
    ids_a = [publish("conversation:1", "message", "created", {"n": i}, now=now).seq for i in range(3)]
    ids_b = [publish("conversation:2", "message", "created", {}, now=now).seq for _ in range(2)]
    assert ids_a == [1, 2, 3]
    assert ids_b == [1, 2]
    # and a client that saw id 1 gets exactly 2 and 3.
    missed = events_since("conversation:1", 1)
    assert [(e["id"], e["n"], e["type"], e["op"], e["stream"]) for e in missed] == [
        (2, 1, "message", "created", "conversation:1"),
        (3, 2, "message", "created", "conversation:1"),
    ]


def test_side_effects_run_only_after_commit(django_capture_on_commit_callbacks):
    ran = []
    # Given a transaction that commits, then its side effect runs after the commit.
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        publish_on_commit(lambda: ran.append("sent"))
        assert ran == []
    assert ran == ["sent"]
    assert len(callbacks) == 1


def test_rolled_back_write_sends_nothing(django_capture_on_commit_callbacks):
    ran = []
    # Given a transaction that fails, then no side effect is scheduled.
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ValueError, match="crash"),
        transaction.atomic(),
    ):
        publish_on_commit(lambda: ran.append("sent"))
        publish("conversation:9", "message", "created", {}, now=clock.now())
        raise ValueError("crash mid-write")
    assert ran == []
    assert callbacks == []
    assert events_since("conversation:9", 0) == []


def test_published_event_rings_the_channel_layer(django_capture_on_commit_callbacks):
    import asyncio

    from asgiref.sync import async_to_sync, sync_to_async
    from channels.layers import get_channel_layer

    from kefu.core.events import group_name

    def publish_and_commit():
        with django_capture_on_commit_callbacks(execute=True):
            publish("conversation:5", "message", "created", {"text": "你好"}, now=clock.now())

    async def scenario():
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add(group_name("conversation:5"), channel)
        # Given a subscriber, when an event is published and committed, then the doorbell rings
        # (in-memory layer embedded, Redis pub/sub layer scaled).
        await sync_to_async(publish_and_commit)()
        return await asyncio.wait_for(layer.receive(channel), timeout=5)

    message = async_to_sync(scenario)()
    assert message["event"]["id"] == 1
    assert message["event"]["text"] == "你好"


def test_tasks_take_ids_not_model_instances():
    seen = []

    @task("tests.remember", retries=1)
    def remember(conversation_id: int) -> None:
        seen.append(conversation_id)

    assert isinstance(remember, Task)
    # Given a model instance, when it is passed to a task, then enqueueing refuses it.
    conversation = ConversationFactory()
    with pytest.raises(TypeError, match="ids and plain values"):
        remember.enqueue(conversation)
    # and an id is accepted (and run at once in tests).
    remember.enqueue(conversation.pk)
    assert seen == [conversation.pk]


def test_snoozed_conversations_wake_once_when_due(time_machine):
    from kefu.conversations.actions import do_transition

    # Given a conversation snoozed for an hour,
    time_machine.move_to("2026-05-01 09:00:00+08:00", tick=False)
    conversation = ConversationFactory(status="open")
    do_transition(
        conversation, "snooze", actor=None, now=clock.now(), snooze_until=clock.now().replace(hour=2)
    )  # 10:00 in Shanghai
    # when the sweeper runs before the time, nothing happens;
    assert sweep_once()["conversations.wake_snoozed"] == 0
    # when the clock passes it, the conversation wakes — exactly once however often it runs.
    time_machine.move_to("2026-05-01 10:00:01+08:00", tick=False)
    assert sweep_once()["conversations.wake_snoozed"] == 1
    assert sweep_once()["conversations.wake_snoozed"] == 0
    conversation.refresh_from_db()
    assert conversation.status == "open"
    assert conversation.snoozed_until is None


def test_doorbells_of_a_rolled_back_savepoint_are_not_rung(django_capture_on_commit_callbacks, monkeypatch):
    from kefu.core import events

    sent = []
    monkeypatch.setattr(events, "_send", lambda messages: sent.extend(m["id"] for _k, m in messages))
    # Given an outer transaction that commits with an inner savepoint that rolls back,
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        publish("conversation:7", "message", "created", {}, now=clock.now())
        with pytest.raises(ValueError, match="inner"), transaction.atomic():
            publish("conversation:7", "message", "created", {"lost": True}, now=clock.now())
            raise ValueError("inner failure")
        publish("conversation:7", "message", "created", {}, now=clock.now())
    # then only the committed events ring, once each, in one batch, and the ids have no gap.
    assert sent == [1, 2]
    assert [e["id"] for e in events_since("conversation:7", 0)] == [1, 2]


def test_publish_many_numbers_each_stream_on_from_where_it_was(db):
    from kefu.core.events import publish_many

    now = clock.now()
    publish("batch:a", "t", "x", {"n": 0}, now=now)  # a stream that already has event 1
    rows = publish_many(
        [("batch:a", "t", "x", {"n": 1}), ("batch:b", "t", "x", {"n": 1}), ("batch:a", "t", "x", {"n": 2})],
        now=now,
    )
    assert [(r.stream_key, r.seq) for r in rows] == [("batch:a", 2), ("batch:b", 1), ("batch:a", 3)]
    assert [e["n"] for e in events_since("batch:a", 0)] == [0, 1, 2]
    assert [e["id"] for e in events_since("batch:b", 0)] == [1]
    assert publish_many([], now=now) == []
