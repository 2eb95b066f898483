"""Telling a customer about their order reaches them even when their last conversation is closed."""

import pytest

from kefu.aftersales.notify import notify_customer
from kefu.conversations.choices import AuthorKind, ConversationStatus
from kefu.conversations.models import Conversation
from kefu.core import clock
from tests.factories import ConversationFactory

pytestmark = pytest.mark.django_db


def test_a_closed_conversation_gets_a_new_one_on_the_same_channel():
    # Given the customer's only conversation is closed
    old = ConversationFactory(status=ConversationStatus.CLOSED, subject="退货咨询")
    # When the shop tells them something
    message = notify_customer(old.customer, "您的退款已到账。", now=clock.now())
    # Then the message lands in a new conversation on the same channel, written by the assistant
    assert message is not None
    assert message.conversation_id != old.pk
    new = Conversation.objects.get(pk=message.conversation_id)
    assert (new.channel_id, new.customer_id, new.subject) == (old.channel_id, old.customer_id, "退货咨询")
    assert message.author_kind == AuthorKind.BOT
    assert message.text == "您的退款已到账。"
    # and the closed conversation is left as it was
    old.refresh_from_db()
    assert old.status == ConversationStatus.CLOSED
    assert not old.messages.exists()


def test_an_open_conversation_is_used_as_it_is():
    # Given an open conversation
    open_one = ConversationFactory()
    # When the shop tells the customer something, it goes there and no conversation is added
    message = notify_customer(open_one.customer, "已为您加急处理。", now=clock.now())
    assert message is not None
    assert message.conversation_id == open_one.pk
    assert Conversation.objects.filter(customer=open_one.customer).count() == 1
