"""Signed webhooks (telephony events, platform messages): HMAC-SHA256 over the raw body with
the channel's secret, checked before anything in the request is used; an idempotency key
makes a repeated delivery return the first result and do nothing else."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from kefu.conversations.models import Channel
from kefu.core import clock, inputs
from kefu.core.errors import KefuError, ValidationFailed
from kefu.intake.models import WebhookReceipt

CHANNEL_HEADER = "X-Kefu-Channel"
SIGNATURE_HEADER = "X-Kefu-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"
MAX_BODY = 1024 * 1024


class Unauthorized(KefuError):
    code = "unauthorized"
    status = 401


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verified_channel(request: HttpRequest, kind: str) -> Channel:
    """The channel whose secret signed this body, or :class:`Unauthorized` (same answer for an
    unknown channel and a wrong signature)."""
    key = request.headers.get(CHANNEL_HEADER, "")[:60]
    signature = request.headers.get(SIGNATURE_HEADER, "")
    channel = Channel.objects.filter(key=key, kind=kind, is_active=True).first() if key else None
    if len(request.body) > MAX_BODY:
        raise ValidationFailed(_("The request body is too large."))
    if channel is None or not channel.secret or not hmac.compare_digest(sign(channel.secret, request.body), signature):
        raise Unauthorized(_("Missing or invalid signature."))
    return channel


def json_body(request: HttpRequest) -> dict[str, Any]:
    data = inputs.loads(request.body)  # size, depth, NUL and lone surrogates: kefu.core.inputs
    if not isinstance(data, dict):
        raise ValidationFailed(_("The body must be a JSON object."))
    return data


def idempotency_key(request: HttpRequest, data: dict[str, Any]) -> str:
    key = (request.headers.get(IDEMPOTENCY_HEADER) or str(data.get("idempotency_key") or "")).strip()
    if not key or len(key) > 120:
        raise ValidationFailed(_("An Idempotency-Key header (at most 120 characters) is required."))
    return key


def once(channel: Channel, key: str, fn: Callable[[], dict[str, Any]]) -> tuple[dict[str, Any], bool]:
    """Run ``fn`` once per (channel, key); returns ``(result, first_time)``."""
    seen = WebhookReceipt.objects.filter(channel=channel, key=key).first()
    if seen is not None:
        return seen.result, False
    try:
        with transaction.atomic():
            result = fn()
            WebhookReceipt.objects.create(channel=channel, key=key, result=result, created_at=clock.now())
    except IntegrityError:  # the same key, delivered twice at once: the other one won
        return WebhookReceipt.objects.get(channel=channel, key=key).result, False
    return result, True
