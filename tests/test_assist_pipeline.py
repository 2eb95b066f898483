"""Analysis once per message (issue 14): every public customer message with text gets one stored
analysis after commit (the screen first, the encoder only where it is unsure, in batches); a second
read never encodes again; the backfill fills gaps and is idempotent; an angry message still raises the
conversation's priority; sentence vectors are memoised by text."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from kefu.assist.actions import drain_pending
from kefu.assist.models import MessageEmotion
from kefu.conversations.actions import check_add_note, do_post_message
from kefu.conversations.models import Message
from kefu.core import clock
from kefu.core.models import AuditEvent, StreamEvent
from kefu.core.text import embed
from tests.factories import ConversationFactory, MessageFactory

pytestmark = pytest.mark.django_db


def _encoded() -> int:
    return embed.stats()["encoded"]


def test_every_public_customer_message_is_analysed_once_and_a_second_read_does_not_encode(client, roles):
    conversation = ConversationFactory(assignee=roles["reception"])
    now = clock.now()
    # Given customer messages in both scripts (a plain question, a statement, a Traditional one),
    # an agent's reply and an internal note, stored without their after-commit work,
    texts = ["请问退款多久能到账？", "收到了，东西还行", "我的包裹到哪裡了"]
    for text in texts:
        do_post_message(conversation, author_kind="customer", text=text, now=now)
    do_post_message(conversation, author_kind="agent", text="您好，马上为您查询", author=roles["reception"], now=now)
    check_add_note(conversation, "客户催了", actor=roles["reception"])
    # when the worker drains what is pending,
    done, more = drain_pending()
    # then each customer message has exactly one analysis, and nothing else has one;
    assert (done, more) == (3, False)
    rows = {r.message.text: r for r in MessageEmotion.objects.select_related("message")}
    assert set(rows) == set(texts)
    assert {r.script for r in rows.values()} == {"zh-Hans", "zh-Hant"}
    assert rows["我的包裹到哪裡了"].script == "zh-Hant"
    assert all(r.model_version and r.path in ("screen", "model") for r in rows.values())
    assert all(r.conversation_id == conversation.pk for r in rows.values())
    # and with the vector memo emptied (a recomputation would have to encode), reading it again —
    # another drain, the conversation page with its mood panel — encodes nothing and stores nothing.
    embed.forget()
    before = _encoded()
    assert drain_pending() == (0, False)
    client.force_login(roles["reception"])
    assert client.get(f"/conversations/{conversation.pk}/").status_code == 200
    assert _encoded() == before
    assert MessageEmotion.objects.count() == 3


def test_the_screen_decides_a_plain_question_without_the_encoder():
    conversation = ConversationFactory()
    do_post_message(conversation, author_kind="customer", text="请问这个怎么安装？", now=clock.now())
    embed.forget()
    before = _encoded()
    drain_pending()
    row = MessageEmotion.objects.get()
    assert (row.path, row.emotion) == ("screen", "calm")
    assert _encoded() == before


def test_an_angry_message_raises_the_priority_through_the_after_commit_pipeline(django_capture_on_commit_callbacks):
    conversation = ConversationFactory()
    # Given an angry customer message, stored and committed (its after-commit request runs the drain:
    # jobs run at once in the tests),
    with django_capture_on_commit_callbacks(execute=True):
        message, _created = do_post_message(
            conversation, author_kind="customer", text="等了一周还没发！骗子，我要投诉到12315！！", now=clock.now()
        )
    # then its analysis is stored, the conversation is urgent (audited) and the agents' page is told.
    row = MessageEmotion.objects.get(message=message)
    assert row.emotion == "angry"
    assert row.urgent is True
    conversation.refresh_from_db()
    assert conversation.priority == "urgent"
    assert AuditEvent.objects.filter(verb="conversation.priority_raised", object_id=str(conversation.pk)).exists()
    event = StreamEvent.objects.get(stream_key=conversation.stream_key, type="conversation", op="classified")
    assert event.payload["priority"] == "urgent"
    assert event.payload["message"] == message.pk


def test_the_backfill_fills_the_gaps_with_progress_and_a_second_run_does_nothing():
    # Given stored customer messages of two conversations without analysis (e.g. from before the upgrade),
    now = clock.now()
    first, second = ConversationFactory(), ConversationFactory()
    for i in range(5):
        do_post_message(first, author_kind="customer", text=f"第{i}次问：订单什么时候发货？", now=now)
    do_post_message(second, author_kind="customer", text="质量太差了，我要退货", now=now)
    MessageFactory(conversation=second, author_kind="customer", text="")  # an image only: nothing to analyse
    # when the backfill runs in batches of two,
    out = io.StringIO()
    call_command("assist_backfill", "--batch", "2", stdout=out)
    # then every message with text has its analysis and each batch printed a progress line;
    assert MessageEmotion.objects.count() == 6
    lines = out.getvalue().splitlines()
    assert [line.split(":")[1].split("messages")[0].strip() for line in lines[:3]] == ["2 / 6", "4 / 6", "6 / 6"]
    assert "6 messages analysed" in lines[-1]
    # and a second run finds nothing to do and changes nothing.
    again = io.StringIO()
    call_command("assist_backfill", stdout=again)
    assert "0 messages analysed" in again.getvalue()
    assert MessageEmotion.objects.count() == 6
    assert Message.objects.filter(author_kind="customer", emotion__isnull=True).exclude(text="").count() == 0


def test_sentence_vectors_are_memoised_by_text_and_batches_encode_only_new_texts():
    embed.forget()
    before = embed.stats()
    first = embed.passage_vectors(["退货流程是什么", "运费谁出", "退货流程是什么"])
    after_first = embed.stats()
    # the repeated text is encoded once, in one call for the batch;
    assert after_first["encoded"] - before["encoded"] == 2
    assert after_first["encoder_calls"] - before["encoder_calls"] == 1
    # a later batch encodes only its new text, and gives the same vectors;
    second = embed.passage_vectors(["运费谁出", "退货流程是什么", "发票怎么开"])
    assert embed.stats()["encoded"] - after_first["encoded"] == 1
    assert (second[0] == first[1]).all()
    assert (second[1] == first[0]).all()
    # Traditional folds to the same text, so it shares the vector.
    embed.passage_vectors(["運費誰出"])
    assert embed.stats()["encoded"] - after_first["encoded"] == 1
