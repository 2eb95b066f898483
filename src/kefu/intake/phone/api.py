"""POST /api/v1/calls/events — a telephony system pushes ringing / answered / ended events.

Headers: ``X-Kefu-Channel`` (the phone channel's key), ``X-Kefu-Signature: sha256=<hex HMAC-SHA256
of the raw body with the channel's signing secret>``, ``Idempotency-Key``.  Body (JSON):
``{"event", "call_id", "direction": "in"|"out", "number", "agent"?, "at"?, "outcome"?, "notes"?}``.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from kefu.conversations.choices import ChannelKind
from kefu.core import clock
from kefu.intake.phone.actions import call_payload, do_call_event
from kefu.intake.webhooks import idempotency_key, json_body, once, verified_channel

router = Router(tags=["calls"])


@router.post("/events", auth=None, response={200: dict, 400: dict, 401: dict})
def call_event(request: HttpRequest) -> dict[str, Any]:
    channel = verified_channel(request, ChannelKind.PHONE)  # nothing is read before this
    data = json_body(request)
    key = idempotency_key(request, data)
    result, first = once(channel, key, lambda: call_payload(do_call_event(channel, data, now=clock.now())))
    return {**result, "duplicate": not first}
