"""Who a widget visitor is: our signed visitor token, and the site's signed customer token.

Visitor token: ``django.core.signing`` over ``{"v": VISITOR_ID, "c": CHANNEL_KEY}`` (the server's
secret key); the widget keeps it in the browser's storage, so the visitor is the same person
next week.

Customer token (optional, made by the embedding site for its logged-in customers)::

    PAYLOAD = base64url(JSON {"id": "u123", "name": "张三", "phone": "138…", "email": "…", "exp": 1767225600})
    TOKEN   = PAYLOAD + "." + hex(HMAC-SHA256(key=CHANNEL_SECRET, msg=PAYLOAD))

``id`` is required; ``exp`` (Unix seconds) is optional but recommended.  A token whose
signature does not match, or that has expired, is refused.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import uuid
from datetime import datetime
from typing import Any

from django.core import signing
from django.utils.translation import gettext as _

from kefu.conversations.models import Channel
from kefu.core.errors import PermissionDenied

VISITOR_SALT = "kefu.widget.visitor"
ATTACHMENT_SALT = "kefu.widget.attachment"
CLAIM_FIELDS = ("id", "name", "phone", "email")


def new_visitor_token(channel: Channel) -> tuple[str, str]:
    visitor_id = uuid.uuid4().hex
    return visitor_id, signing.dumps({"v": visitor_id, "c": channel.key}, salt=VISITOR_SALT)


def read_visitor_token(channel: Channel, token: str) -> str | None:
    """The visitor id in a token we issued for this channel, or None."""
    try:
        data = signing.loads(token, salt=VISITOR_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("c") != channel.key or not isinstance(data.get("v"), str):
        return None
    return data["v"]


def sign_customer_token(secret: str, claims: dict[str, Any]) -> str:
    """What the embedding site does (also used by tests and the docs' example)."""
    payload = base64.urlsafe_b64encode(json.dumps(claims, ensure_ascii=False).encode()).rstrip(b"=").decode()
    signature = hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()
    return f"{payload}.{signature}"


def verify_customer_token(channel: Channel, token: str, *, now: datetime) -> dict[str, str]:
    """The claims of a valid customer token; :class:`PermissionDenied` otherwise."""
    refused = PermissionDenied(_("The customer token is not valid for this chat."))
    if not channel.secret or not isinstance(token, str) or token.count(".") != 1 or len(token) > 4096:
        raise refused
    payload, signature = token.split(".")
    expected = hmac.new(channel.secret.encode(), payload.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature.lower()):
        raise refused
    try:
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (binascii.Error, ValueError):
        raise refused from None
    if not isinstance(data, dict) or not str(data.get("id") or "").strip():
        raise refused
    exp = data.get("exp")
    if exp is not None and (not isinstance(exp, int | float) or exp < now.timestamp()):
        raise PermissionDenied(_("The customer token has expired; reload the page."))
    return {k: str(data[k]).strip()[:120] for k in CLAIM_FIELDS if data.get(k) not in (None, "")}


def attachment_signature(attachment_id: int) -> str:
    return signing.Signer(salt=ATTACHMENT_SALT).sign(str(attachment_id)).rsplit(":", 1)[1]


def check_attachment_signature(attachment_id: int, signature: str) -> bool:
    return hmac.compare_digest(attachment_signature(attachment_id), signature)
