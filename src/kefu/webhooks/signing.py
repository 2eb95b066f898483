"""The signature a receiver checks: HMAC-SHA256 over ``"{timestamp}." + body`` (docs/webhooks.md).

Headers of every delivery::

    X-Kefu-Event: message.created
    X-Kefu-Delivery: 1234            (the delivery id: the same on every retry; a replay gets a new one)
    X-Kefu-Timestamp: 1765000000     (Unix seconds when this attempt was signed)
    X-Kefu-Signature: v1=<hex>       (HMAC-SHA256(secret, f"{timestamp}.".encode() + body))
"""

from __future__ import annotations

import hashlib
import hmac

TOLERANCE = 300  # seconds: receivers refuse a timestamp older (or further ahead) than this


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode("ascii") + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


def verify(secret: str, timestamp: str, signature_header: str, body: bytes, *, now: float) -> bool:
    """What a receiver does (also the reference for docs/webhooks.md): the timestamp is a whole
    number within ``TOLERANCE`` of ``now``, and one of the ``v1=`` signatures matches."""
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        return False
    if abs(now - int(timestamp)) > TOLERANCE:
        return False
    expected = signature(secret, int(timestamp), body)
    return any(hmac.compare_digest(expected, part.strip()) for part in signature_header.split(","))
