"""What the widget's WebSocket and HTTP endpoints share: resolving the channel and the
visitor, the visitor's view of stream events, and the flood limit."""

from __future__ import annotations

import time
from collections import OrderedDict
from datetime import datetime
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from kefu.conversations.choices import ChannelKind
from kefu.conversations.models import Channel, Conversation
from kefu.conversations.router import queue_position
from kefu.conversations.visitors import Visitor, availability
from kefu.core.errors import NotFound, PermissionDenied
from kefu.intake.widget.tokens import (
    attachment_signature,
    new_visitor_token,
    read_visitor_token,
    verify_customer_token,
)

WIDGET_KINDS = (ChannelKind.WEB_CHAT,)


def channel_for(key: str) -> Channel:
    channel = Channel.objects.select_related("shop", "team", "vip_team").filter(key=str(key)[:60]).first()
    if channel is None or not channel.is_active or channel.kind not in WIDGET_KINDS:
        raise NotFound(_("This chat is not available (unknown channel key)."))
    return channel


def visitor_for(
    channel: Channel, visitor_token: str | None, customer_token: str | None, *, now: datetime
) -> tuple[Visitor, str]:
    """The visitor (a new one when the token is missing or not ours) and their token."""
    visitor_id = read_visitor_token(channel, visitor_token) if visitor_token else None
    token = visitor_token or ""
    if visitor_id is None:
        visitor_id, token = new_visitor_token(channel)
    claims = verify_customer_token(channel, customer_token, now=now) if customer_token else None
    return Visitor(channel=channel, visitor_id=visitor_id, claims=claims), token


def require_visitor(
    channel: Channel, visitor_token: str | None, customer_token: str | None, *, now: datetime
) -> Visitor:
    """For HTTP calls after the hello: the token must be one we issued."""
    if not visitor_token or read_visitor_token(channel, visitor_token) is None:
        raise PermissionDenied(_("Your chat session has expired; reload the page."))
    visitor, _token = visitor_for(channel, visitor_token, customer_token, now=now)
    return visitor


def agent_name(conversation: Conversation | None) -> str:
    if conversation is None or conversation.assignee is None:
        return ""
    return conversation.assignee.display_name or conversation.assignee.get_username()


def conversation_state(conversation: Conversation | None) -> dict[str, Any] | None:
    if conversation is None:
        return None
    return {
        "id": conversation.pk,
        "status": conversation.status,
        "agent": agent_name(conversation),
        "queue_position": queue_position(conversation),
        "agent_read_upto": conversation.agent_read_upto,
    }


def welcome(channel: Channel, conversation: Conversation | None, *, now: datetime) -> dict[str, Any]:
    return {
        "channel": {
            "name": channel.shop.name if channel.shop else channel.name,
            "welcome": channel.welcome,
            "prechat": channel.prechat_form,
            "max_chars": 5000,
            "max_upload": settings.KEFU_MAX_UPLOAD_BYTES,
        },
        "availability": availability(channel, now),
        "conversation": conversation_state(conversation),
    }


def _visitor_attachment(att: dict[str, Any]) -> dict[str, Any]:
    url = str(att.get("url", ""))
    try:
        pk = int(url.rstrip("/").rsplit("/", 1)[-1])
    except ValueError:
        return {**att, "url": ""}
    return {**att, "url": reverse("widget-attachment", args=[pk, attachment_signature(pk)])}


def visitor_event(event: dict[str, Any]) -> dict[str, Any] | None:
    """What of a conversation-stream event the visitor may see (None: nothing)."""
    if event.get("type") == "message":
        message = event.get("message") or {}
        if message.get("internal"):
            return None
        message = {
            "id": message.get("id"),
            "author_kind": message.get("author_kind"),
            "author": message.get("author") if message.get("author_kind") != "customer" else "",
            "text": message.get("text", ""),
            "client_id": message.get("client_id", "") if message.get("author_kind") == "customer" else "",
            "created_at": message.get("created_at"),
            "attachments": [_visitor_attachment(a) for a in message.get("attachments", [])],
        }
        return {k: event[k] for k in ("type", "op", "id", "at") if k in event} | {"message": message}
    if event.get("type") == "conversation":
        keep = {k: event[k] for k in ("type", "op", "id", "at", "status") if k in event}
        if "assignee_name" in event:
            keep["agent"] = event["assignee_name"]
        return keep
    return None


class FloodGate:
    """A token bucket per visitor: ``rate`` messages a second, bursts of ``burst``."""

    def __init__(self, rate: float, burst: int, *, size: int = 10_000) -> None:
        self.rate, self.burst, self.size = rate, burst, size
        self.buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def allow(self, key: str) -> float:
        """0 when allowed, else the seconds to wait."""
        now = time.monotonic()
        tokens, at = self.buckets.pop(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - at) * self.rate)
        if tokens < 1:
            self.buckets[key] = (tokens, now)
            return (1 - tokens) / self.rate
        self.buckets[key] = (tokens - 1, now)
        while len(self.buckets) > self.size:
            self.buckets.popitem(last=False)
        return 0.0


FLOOD = FloodGate(rate=settings.KEFU_CHAT_RATE, burst=settings.KEFU_CHAT_BURST)
# A visitor id costs nothing to replace, so the same limit is also kept per client address and
# per widget channel (one website), each with its own, larger budget (README, configuration).
FLOOD_IP = FloodGate(rate=settings.KEFU_CHAT_IP_RATE, burst=settings.KEFU_CHAT_IP_BURST)
FLOOD_CHANNEL = FloodGate(rate=settings.KEFU_CHAT_CHANNEL_RATE, burst=settings.KEFU_CHAT_CHANNEL_BURST)


def flood_wait(visitor_id: str, ip: str, channel_key: str) -> float:
    """0 when a visitor may send now, else the seconds to wait: the visitor's, their address's
    and their channel's buckets must all allow it."""
    return max(
        FLOOD.allow(visitor_id),
        FLOOD_IP.allow(ip or "?"),
        FLOOD_CHANNEL.allow(channel_key),
    )
