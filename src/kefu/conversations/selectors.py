"""Reads for the agent workspace: inbox lists and conversation pages."""

from __future__ import annotations

from django.db.models import Count, F, Q, QuerySet

from kefu.accounts.models import User
from kefu.conversations.choices import ConversationStatus
from kefu.conversations.models import Conversation, Message

INBOX_VIEWS = ("mine", "unassigned", "teams", "all")
ACTIVE = (ConversationStatus.OPEN, ConversationStatus.PENDING)


def inbox(user: User, view: str, *, status: str = "active") -> QuerySet[Conversation]:
    qs = Conversation.objects.select_related("customer", "channel", "assignee", "team").annotate(
        unread=Count(
            "messages",
            filter=Q(
                messages__author_kind="customer",
                messages__is_internal=False,
                messages__id__gt=F("agent_read_upto"),
            ),
        )
    )
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


def unread_for(user: User) -> dict[str, int]:
    """For the workspace's badge: my conversations with unread customer messages, and the
    queue of conversations no one has taken yet."""
    mine = inbox(user, "mine").filter(unread__gt=0).count()  # type: ignore[misc]
    queue = Conversation.objects.filter(assignee__isnull=True, status__in=ACTIVE, queued_at__isnull=False).count()
    return {"mine": mine, "queue": queue}


def last_event_id(stream_key: str) -> int:
    from kefu.core.models import Stream

    return Stream.objects.filter(key=stream_key).values_list("last_id", flat=True).first() or 0
