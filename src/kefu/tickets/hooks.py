"""Tickets follow their conversations: an agent's public reply in a chat or mail thread meets
the response targets of the conversation's open tickets; a customer's message is
``customer_replied`` for them (see :func:`kefu.tickets.actions.do_conversation_message`)."""

from __future__ import annotations

from datetime import datetime

from kefu.conversations.hooks import Stored, on_messages
from kefu.tickets.choices import TicketStatus
from kefu.tickets.models import Ticket

OPEN_STATES = (TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.PENDING, TicketStatus.ON_HOLD)


@on_messages
def follow_conversations(items: Stored, now: datetime) -> None:
    from kefu.tickets.actions import do_conversation_message

    ids = {conversation.pk for conversation, _kind, _author in items}
    with_tickets = set(
        Ticket.objects.filter(conversation_id__in=ids, status__in=OPEN_STATES).values_list("conversation_id", flat=True)
    )
    for conversation, kind, author in items:
        if conversation.pk in with_tickets:
            do_conversation_message(conversation, author_kind=kind, now=now, actor=author)
