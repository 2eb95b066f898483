from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from kefu.conversations import actions, selectors
from kefu.conversations.actions import message_payload
from kefu.conversations.models import Conversation
from kefu.core.actions import require
from kefu.core.api_auth import needs
from kefu.core.events import events_since

router = Router(tags=["conversations"])


class MessageIn(Schema):
    text: str
    client_id: str = ""
    internal: bool = False


class ConversationEventIn(Schema):
    event: str
    snooze_until: datetime | None = None


def conversation_out(c: Conversation) -> dict[str, Any]:
    return {
        "id": c.pk,
        "status": c.status,
        "channel": c.channel.key,
        "channel_kind": c.channel.kind,
        "customer": c.customer_id,
        "subject": c.subject,
        "assignee": c.assignee.username if c.assignee_id else None,
        "team": c.team_id,
        "service_class": c.service_class,
        "stage": c.stage,
        "priority": c.priority,
        "waiting_since": c.waiting_since.isoformat() if c.waiting_since else None,
        "last_message_at": c.last_message_at.isoformat() if c.last_message_at else None,
    }


@router.get("")
def list_conversations(
    request: HttpRequest, view: str = "all", status: str = "active", limit: int = 50
) -> list[dict[str, Any]]:
    require(request.user, "conversations.view_conversation")
    rows = selectors.inbox(request.user, view, status=status)[: max(1, min(limit, 200))]
    return [conversation_out(c) for c in rows]


@router.get("/{conversation_id}", auth=needs("conversations.view_conversation"))
def get_conversation(request: HttpRequest, conversation_id: int) -> dict[str, Any]:
    require(request.user, "conversations.view_conversation")
    c = get_object_or_404(Conversation.objects.select_related("channel", "assignee"), pk=conversation_id)
    return {**conversation_out(c), "messages": [message_payload(m) for m in selectors.timeline(c)]}


@router.get("/{conversation_id}/events", auth=needs("conversations.view_conversation"))
def conversation_events(request: HttpRequest, conversation_id: int, after: int = 0) -> list[dict[str, Any]]:
    """Catch-up: every event of the conversation's stream after ``after``."""
    require(request.user, "conversations.view_conversation")
    c = get_object_or_404(Conversation, pk=conversation_id)
    return events_since(c.stream_key, max(after, 0))


@router.post("/{conversation_id}/messages", response={201: dict, 200: dict})
def post_message(request: HttpRequest, conversation_id: int, body: MessageIn) -> Status:
    c = get_object_or_404(Conversation, pk=conversation_id)
    if body.internal:
        message, created = actions.check_add_note(c, body.text, actor=request.user, client_id=body.client_id)
    else:
        message, created = actions.check_send_reply(c, body.text, actor=request.user, client_id=body.client_id)
    return Status(201 if created else 200, message_payload(message))


@router.post("/{conversation_id}/events", auth=needs("conversations.change_conversation_status"))
def fire_event(request: HttpRequest, conversation_id: int, body: ConversationEventIn) -> dict[str, Any]:
    c = get_object_or_404(Conversation.objects.select_related("channel", "assignee"), pk=conversation_id)
    actions.check_transition(c, body.event, actor=request.user, snooze_until=body.snooze_until)
    return conversation_out(c)
