"""Reads for the agent workspace: inbox lists and conversation pages."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from kefu.accounts.models import User
from kefu.conversations.choices import ConversationStatus
from kefu.conversations.models import Conversation, Message

INBOX_VIEWS = ("mine", "unassigned", "teams", "all")
ACTIVE = (ConversationStatus.OPEN, ConversationStatus.PENDING)


def inbox(user: User, view: str, *, status: str = "active") -> QuerySet[Conversation]:
    qs = Conversation.objects.select_related("customer", "channel", "assignee", "team")
    if status == "active":
        qs = qs.filter(status__in=ACTIVE)
    elif status in ConversationStatus.values:
        qs = qs.filter(status=status)
    if view == "mine":
        qs = qs.filter(assignee=user)
    elif view == "unassigned":
        qs = qs.filter(assignee__isnull=True)
    elif view == "teams":
        qs = qs.filter(Q(team__in=user.teams.all()))
    return qs.order_by("-last_message_at", "-id")


def inbox_counts(user: User) -> dict[str, int]:
    return {view: inbox(user, view).count() for view in INBOX_VIEWS}


def timeline(conversation: Conversation) -> QuerySet[Message]:
    return conversation.messages.select_related("author").prefetch_related("attachments").order_by("created_at", "id")
