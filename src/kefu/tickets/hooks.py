"""Tickets follow their conversations: an agent's public reply in a chat or mail thread meets
the response targets of the conversation's open tickets; a customer's message is
``customer_replied`` for them (see :func:`kefu.tickets.actions.do_conversation_message`)."""

from __future__ import annotations

from datetime import datetime

from kefu.conversations.hooks import Stored, on_messages
from kefu.core.bulk import values_where
from kefu.tickets.choices import TicketStatus
from kefu.tickets.models import Ticket

OPEN_STATES = (TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.PENDING, TicketStatus.ON_HOLD)


@on_messages
def follow_conversations(items: Stored, now: datetime) -> None:
    from kefu.tickets.actions import do_conversation_message

    # Run on every group commit of live chat: one plain statement (the ORM's query building cost more).
    ids = sorted({conversation.pk for conversation, _kind, _author in items})
    with_tickets = values_where(
        Ticket, "conversation_id", {"conversation_id": ids, "status": [str(s) for s in OPEN_STATES]}
    )
    for conversation, kind, author in items:
        if conversation.pk in with_tickets:
            do_conversation_message(conversation, author_kind=kind, now=now, actor=author)
