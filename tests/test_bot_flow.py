"""The FAQ bot in the widget's visitor flow: it takes a new chat's first turn where its channel has it
on, answers from public articles, and hands over to the queue (with its transcript and guess) when the
customer asks for a person, is upset, or the bot is not sure."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kefu.accounts.choices import Presence
from kefu.bot.actions import check_set_channel_bot, do_bot_turn
from kefu.bot.models import BotSession
from kefu.bot.transitions import bot_session_machine
from kefu.conversations import visitors
from kefu.conversations.actions import check_send_reply
from kefu.conversations.choices import AuthorKind
from kefu.core import clock
from kefu.core.errors import PermissionDenied, ValidationFailed
from kefu.core.models import AuditEvent
from tests.factories import ChannelFactory, UserFactory
from tests.factories_assist import BotChannelSettingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(db):
    return UserFactory(role="reception", presence=Presence.ONLINE, username="xiaomei", display_name="小美")


@pytest.fixture
def channel(db):
    setting = BotChannelSettingFactory(channel=ChannelFactory(welcome="欢迎"))
    return setting.channel


def say(channel, text, capture, visitor_id="v-1"):
    with capture(execute=True):
        conversation, _message, _created = visitors.post(
            visitors.Visitor(channel=channel, visitor_id=visitor_id), text=text, now=clock.now()
        )
    conversation.refresh_from_db()
    return conversation


def transcript(conversation):
    return [(m.author_kind, m.is_internal, m.text) for m in conversation.messages.order_by("id")]


def test_bot_answers_then_hands_over_with_transcript_and_guess(channel, agent, django_capture_on_commit_callbacks):
    # Given a channel with the bot on and an agent online,
    # when a visitor asks when their order ships,
    conversation = say(channel, "请问拍下后什么时候发货？", django_capture_on_commit_callbacks)
    # then the bot answers from the article with its follow-up fact, says it is an assistant, and nobody is
    # routed yet;
    kinds = transcript(conversation)
    assert [k for k, _i, _t in kinds] == [AuthorKind.CUSTOMER, AuthorKind.BOT]
    assert "3–5 天" in kinds[1][2]
    assert "人工" in kinds[1][2]
    assert conversation.assignee_id is None
    assert conversation.queued_at is None
    session = BotSession.objects.get(conversation=conversation)
    assert session.state == "answering"
    assert session.article is not None
    # when the visitor then types 转人工,
    conversation = say(channel, "转人工", django_capture_on_commit_callbacks)
    # then the bot says it passes them on, the chat is routed to the agent, and the agent sees the bot's
    # transcript plus an internal note with its guess.
    session.refresh_from_db()
    assert session.state == "handed_over"
    assert session.handoff_reason == "asked"
    assert conversation.assignee == agent
    kinds = transcript(conversation)
    assert [k for k, _i, _t in kinds] == ["customer", "bot", "customer", "bot", "system"]
    note = kinds[-1]
    assert note[1] is True  # internal: the visitor never sees it
    assert "FAQ" in note[2] or "机器人" in note[2]
    assert AuditEvent.objects.filter(verb="bot_session.hand_over", object_id=str(session.pk)).exists()
    # and later customer messages are not answered by the bot any more.
    conversation = say(channel, "你好，在吗", django_capture_on_commit_callbacks)
    assert transcript(conversation)[-1][0] == "customer"


def test_an_unsure_bot_hands_over(channel, agent, django_capture_on_commit_callbacks):
    conversation = say(channel, "帮我订一张去北京的机票", django_capture_on_commit_callbacks)
    session = BotSession.objects.get(conversation=conversation)
    assert session.state == "handed_over"
    assert session.handoff_reason in {"low_confidence", "angry", "complaint"}
    assert conversation.assignee == agent


def test_an_angry_customer_goes_to_a_person_at_once(channel, agent, django_capture_on_commit_callbacks):
    conversation = say(channel, "你们这群骗子，再不退钱我就去12315投诉！！！", django_capture_on_commit_callbacks)
    session = BotSession.objects.get(conversation=conversation)
    assert session.handoff_reason == "angry"
    assert conversation.assignee == agent


def test_traditional_question_gets_a_traditional_answer(channel, agent, django_capture_on_commit_callbacks):
    conversation = say(channel, "請問退款幾天到帳？", django_capture_on_commit_callbacks)
    bot = conversation.messages.filter(author_kind=AuthorKind.BOT).get()
    assert "退款" in bot.text
    assert "到账" not in bot.text


def test_outside_working_hours_the_bot_says_when_people_are_back(agent, django_capture_on_commit_callbacks):
    # Given a channel that is closed now (its only period is an hour that has passed),
    now = clock.now().astimezone()
    closed = (now - timedelta(hours=3)).strftime("%H:00"), (now - timedelta(hours=2)).strftime("%H:00")
    if closed[0] >= closed[1]:
        closed = ("00:00", "00:30") if now.hour >= 1 else ("22:00", "23:00")
    channel = ChannelFactory(hours=[{"days": list(range(7)), "start": closed[0], "end": closed[1]}])
    BotChannelSettingFactory(channel=channel)
    # when a visitor asks for a person,
    conversation = say(channel, "人工客服", django_capture_on_commit_callbacks)
    # then the bot says when people are back and offers to leave a message.
    reply = conversation.messages.filter(author_kind=AuthorKind.BOT).get().text
    assert closed[0] in reply or "leave a message" in reply or "留言" in reply


def test_an_agent_reply_ends_the_bots_part(channel, agent, django_capture_on_commit_callbacks):
    conversation = say(channel, "你们用什么快递", django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        check_send_reply(conversation, "您好，我是小美，默认发顺丰哦", actor=agent)
    session = BotSession.objects.get(conversation=conversation)
    assert session.state == "handed_over"
    assert session.handoff_reason == "agent"


def test_channels_without_the_bot_route_at_once(agent, django_capture_on_commit_callbacks):
    channel = ChannelFactory()
    conversation = say(channel, "什么时候发货", django_capture_on_commit_callbacks)
    assert conversation.assignee == agent
    assert not BotSession.objects.filter(conversation=conversation).exists()
    assert not conversation.messages.filter(author_kind=AuthorKind.BOT).exists()


def test_a_turn_is_idempotent(channel, agent, django_capture_on_commit_callbacks):
    conversation = say(channel, "运费怎么算", django_capture_on_commit_callbacks)
    assert do_bot_turn(conversation.pk, now=clock.now()) is None
    assert conversation.messages.filter(author_kind=AuthorKind.BOT).count() == 1


def test_switching_the_bot_per_channel(roles):
    channel = ChannelFactory()
    with pytest.raises(PermissionDenied):
        check_set_channel_bot(channel, actor=roles["reception"], enabled=True)
    setting = check_set_channel_bot(channel, actor=roles["admin"], enabled=True, threshold=0.7)
    assert setting.enabled
    assert setting.threshold == 0.7
    with pytest.raises(ValidationFailed):
        check_set_channel_bot(channel, actor=roles["admin"], enabled=True, threshold=1.5)
    with pytest.raises(ValidationFailed):
        check_set_channel_bot(ChannelFactory(kind="email"), actor=roles["admin"], enabled=True)
    setting.refresh_from_db()
    assert setting.threshold == 0.7


def test_state_machine_table_is_in_the_docs():
    from pathlib import Path

    page = (Path(__file__).resolve().parent.parent / "docs" / "state-machines.md").read_text(encoding="utf-8")
    assert bot_session_machine.as_markdown() in page


def test_a_session_hands_over_once(channel, agent, django_capture_on_commit_callbacks):
    from kefu.core.errors import InvalidTransition

    conversation = say(channel, "转人工", django_capture_on_commit_callbacks)
    session = BotSession.objects.get(conversation=conversation)
    assert session.state == "handed_over"
    with pytest.raises(InvalidTransition):
        bot_session_machine.transition(session, "hand_over", actor=None, now=clock.now())
    assert AuditEvent.objects.filter(verb="bot_session.hand_over", object_id=str(session.pk)).count() == 1
