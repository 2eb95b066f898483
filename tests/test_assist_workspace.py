"""Agent assist in the workspace: replies that break the service standards are refused on every send
path (socket, form, API) at the severities an administrator blocks; an upset customer raises the
conversation's priority (audited) and the page shows "soothe first" with canned replies; the bot's guess."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync

from kefu.accounts.actions import do_create_api_token
from kefu.assist.actions import ReplyBlocked, analyze_new_customer_messages, check_update_settings
from kefu.assist.models import MessageEmotion
from kefu.conversations.actions import check_add_note, check_send_reply, do_post_message
from kefu.conversations.models import Message
from kefu.core import clock
from kefu.core.errors import PermissionDenied, ValidationFailed
from kefu.core.models import AuditEvent
from tests.factories import ConversationFactory, UserFactory
from tests.ws_support import Socket

pytestmark = pytest.mark.django_db


def test_a_blocked_reply_is_refused_and_changes_nothing(roles):
    conversation = ConversationFactory()
    agent = roles["reception"]
    # Given the default settings (errors block sending),
    # when an agent sends a forbidden phrase, then it is refused with the violations and nothing is stored;
    with pytest.raises(ReplyBlocked) as refused:
        check_send_reply(conversation, "不知道，你自己看吧", actor=agent)
    assert {v["rule"] for v in refused.value.details["violations"]} >= {"indifferent", "commanding"}
    assert not Message.objects.filter(conversation=conversation).exists()
    # a warning alone (a casual promise) is sent, an internal note is never checked,
    check_send_reply(conversation, "保证明天到", actor=agent)
    check_add_note(conversation, "客户说不知道订单号", actor=agent)
    assert Message.objects.filter(conversation=conversation).count() == 2
    # and when the administrator blocks warnings too, the promise is refused.
    check_update_settings(actor=roles["admin"], block_severities=["warning", "error"], raise_priority=True)
    with pytest.raises(ReplyBlocked):
        check_send_reply(conversation, "保证明天到", actor=agent)


def test_only_administrators_change_the_settings_and_bad_values_are_refused(roles):
    with pytest.raises(PermissionDenied):
        check_update_settings(actor=roles["supervisor"], block_severities=[], raise_priority=True)
    with pytest.raises(ValidationFailed):
        check_update_settings(actor=roles["admin"], block_severities=["fatal"], raise_priority=True)
    check_update_settings(actor=roles["admin"], block_severities=[], raise_priority=True)
    assert AuditEvent.objects.filter(verb="assist.settings.changed").count() == 1
    # with nothing blocked, even a forbidden phrase goes out (the composer still shows it).
    check_send_reply(ConversationFactory(), "不知道", actor=roles["reception"])


def test_api_reply_is_refused_with_400(client, roles):
    conversation = ConversationFactory()
    _token, raw = do_create_api_token(roles["reception"], now=clock.now())
    response = client.post(
        f"/api/v1/conversations/{conversation.pk}/messages",
        {"text": "这种问题还要问吗？"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 400
    assert response.json()["error"] == "reply_standards"
    assert response.json()["violations"][0]["rule"] == "arguing"


@pytest.mark.django_db(transaction=True)
def test_socket_send_is_refused():
    from kefu.web.consumers import StreamConsumer

    agent = UserFactory(role="reception")
    conversation = ConversationFactory()

    async def scenario():
        ws = Socket(StreamConsumer, path="/ws/streams/", user=agent)
        connected, _ = await ws.connect()
        assert connected
        await ws.send_json_to({"op": "send", "conversation": conversation.pk, "client_id": "x1", "text": "不归我管"})
        reply = await ws.receive_json_from(timeout=10)
        await ws.disconnect()
        return reply

    reply = async_to_sync(scenario)()
    assert reply["type"] == "error"
    assert reply["error"] == "reply_standards"
    assert reply["client_id"] == "x1"
    assert not Message.objects.filter(conversation=conversation).exists()


def test_an_angry_customer_raises_priority_and_the_page_says_soothe_first(client, roles):
    conversation = ConversationFactory(assignee=roles["reception"])
    # Given a calm then an angry customer message,
    do_post_message(conversation, author_kind="customer", text="你好，请问什么时候发货", now=clock.now())
    do_post_message(
        conversation, author_kind="customer", text="等了一周还没发！骗子，我要投诉到12315！！", now=clock.now()
    )
    # when they are analysed (the task after commit),
    records = analyze_new_customer_messages(conversation.pk, now=clock.now())
    # then the angry one is recorded and the priority is raised to urgent, audited;
    assert [r.emotion for r in records][-1] == "angry"
    conversation.refresh_from_db()
    assert conversation.priority == "urgent"
    raised = AuditEvent.objects.get(verb="conversation.priority_raised", object_id=str(conversation.pk))
    assert raised.data["changed"]["priority"] == ["normal", "urgent"]
    # analysing again changes nothing (idempotent);
    assert analyze_new_customer_messages(conversation.pk, now=clock.now()) == []
    assert MessageEmotion.objects.filter(conversation=conversation).count() == len(records)
    # and the agent's page shows the soothe-first prompt with canned replies and the lint box.
    client.force_login(roles["reception"])
    page = client.get(f"/conversations/{conversation.pk}/").content.decode()
    assert 'id="assist-soothe"' in page
    assert "data-assist-insert" in page
    assert 'id="assist-lint"' in page


def test_a_calm_customer_leaves_priority_alone(roles):
    conversation = ConversationFactory()
    do_post_message(conversation, author_kind="customer", text="好的谢谢", now=clock.now())
    analyze_new_customer_messages(conversation.pk, now=clock.now())
    conversation.refresh_from_db()
    assert conversation.priority == "normal"


@pytest.mark.parametrize(
    ("text", "soothe"),
    [
        ("骗子！我要投诉到12315！！", True),  # sure by the screen: shown before the worker stores the analysis
        ("你好，请问什么时候发货", False),  # a plain question: calm, no prompt
    ],
)
def test_the_page_never_runs_the_encoder_for_the_mood(client, roles, text, soothe):
    from kefu.core.text import embed

    # Given a customer message the worker has not analysed yet (analysis lags under load)
    conversation = ConversationFactory(assignee=roles["reception"])
    do_post_message(conversation, author_kind="customer", text=text, now=clock.now())
    assert not MessageEmotion.objects.filter(conversation=conversation).exists()
    calls = embed.stats()["encoder_calls"]
    # When the agent opens the conversation
    client.force_login(roles["reception"])
    page = client.get(f"/conversations/{conversation.pk}/").content.decode()
    # Then the panel used the cheap screen only: no encoder call, nothing stored by the page
    assert embed.stats()["encoder_calls"] == calls
    assert not MessageEmotion.objects.filter(conversation=conversation).exists()
    assert ('id="assist-soothe"' in page) is soothe
