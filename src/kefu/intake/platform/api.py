"""POST /api/v1/platform/messages — a platform (or its bridge) delivers a customer's message.

Headers as for the phone events: ``X-Kefu-Channel``, ``X-Kefu-Signature`` (HMAC-SHA256 of the
raw body with the channel's signing secret), ``Idempotency-Key``.  Body:
``{"user": {"id", "name"?}, "text", "message_id"?, "subject"?}``.  Agents' answers are POSTed to
the channel's ``config["callback_url"]``, signed the same way with the same headers.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from kefu.conversations.choices import ChannelKind
from kefu.core import clock
from kefu.intake.platform.actions import do_receive
from kefu.intake.webhooks import idempotency_key, json_body, once, verified_channel

router = Router(tags=["platform"])


@router.post("/messages", auth=None, response={200: dict, 400: dict, 401: dict})
def platform_message(request: HttpRequest) -> dict[str, Any]:
    channel = verified_channel(request, ChannelKind.PLATFORM)
    data = json_body(request)
    key = idempotency_key(request, data)
    result, first = once(channel, key, lambda: do_receive(channel, data, now=clock.now()))
    return {**result, "duplicate": not first}
