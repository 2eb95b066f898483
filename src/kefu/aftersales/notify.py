"""Telling a customer something about their order on the channel they used (contract E).

``notify_customer`` posts into the conversation given, else the one linked to the order, else the
customer's latest; the conversation's outbound delivers it (chat push, email, …). Messages from
an agent are posted as theirs, automatic ones as the bot's (the assistant of the shop)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kefu.aftersales.models import Order, OrderLink
from kefu.conversations.choices import AuthorKind
from kefu.conversations.models import Conversation, Message


def conversation_for(customer: Any, *, order: Order | None = None, conversation: Any = None) -> Conversation | None:
    if conversation is not None:
        return conversation
    if order is not None:
        link = (
            OrderLink.objects.filter(order=order, conversation__isnull=False, conversation__customer=customer)
            .select_related("conversation")
            .order_by("-created_at", "-id")
            .first()
        )
        if link is not None:
            return link.conversation
    return (
        Conversation.objects.filter(customer=customer).order_by("-last_message_at", "-id").first()
        if customer is not None
        else None
    )


def notify_customer(
    customer: Any,
    text: str,
    *,
    order: Order | None = None,
    conversation: Any = None,
    now: datetime,
    actor: Any = None,
) -> Message | None:
    """Post ``text`` to the customer; returns the message, or None when the customer has no
    conversation to reach them by (nothing is written then). When that conversation is closed, a
    new one is started on the same channel (as 七鱼's 主动会话 does), so the news is not lost."""
    from kefu.conversations.actions import do_post_message, do_start_conversation
    from kefu.conversations.choices import ConversationStatus

    target = conversation_for(customer, order=order, conversation=conversation)
    if target is None:
        return None
    if target.status == ConversationStatus.CLOSED:
        target = do_start_conversation(
            target.channel,
            target.customer,
            now=now,
            subject=target.subject,
            team=target.team,
            service_class=target.service_class,
            stage=target.stage,
            actor=actor if getattr(actor, "pk", None) is not None else None,
        )
    by_agent = getattr(actor, "pk", None) is not None
    message, _created = do_post_message(
        target,
        author_kind=AuthorKind.AGENT if by_agent else AuthorKind.BOT,
        author=actor if by_agent else None,
        text=text[:5000],
        now=now,
    )
    return message
