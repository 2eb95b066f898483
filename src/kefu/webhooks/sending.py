"""One signed POST to an endpoint (in the worker only): http.client, a short timeout, no
redirects followed, at most ``EXCERPT`` bytes of the answer read."""

from __future__ import annotations

import http.client
import json
import ssl
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from kefu import __version__ as kefu_version
from kefu.webhooks.signing import signature

READ_LIMIT = 2048


@dataclass(frozen=True)
class Result:
    status_code: int | None
    error: str
    excerpt: str
    ms: int


def timeout_seconds() -> float:
    return float(getattr(settings, "KEFU_WEBHOOK_TIMEOUT", 5))


def body_of(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def post(url: str, secret: str, *, event_type: str, delivery_id: int, payload: dict[str, Any]) -> Result:
    body = body_of(payload)
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": f"kefu-webhooks/{kefu_version}",
        "X-Kefu-Event": event_type,
        "X-Kefu-Delivery": str(delivery_id),
        "X-Kefu-Timestamp": str(timestamp),
        "X-Kefu-Signature": signature(secret, timestamp, body),
    }
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    timeout = timeout_seconds()
    started = time.monotonic()
    conn: http.client.HTTPConnection
    if parts.scheme == "https":
        conn = http.client.HTTPSConnection(
            parts.hostname or "", parts.port, timeout=timeout, context=ssl.create_default_context()
        )
    elif parts.scheme == "http":
        conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=timeout)
    else:  # refused when the endpoint was saved; checked again here
        return Result(None, "scheme not allowed", "", 0)
    try:
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        raw = response.read(READ_LIMIT)
        code = response.status
        error = "" if 200 <= code < 300 else f"HTTP {code}"
        return Result(code, error, raw.decode("utf-8", "replace"), _ms(started))
    except TimeoutError:
        return Result(None, f"timeout after {timeout:g} s", "", _ms(started))
    except (OSError, http.client.HTTPException) as exc:
        return Result(None, f"{type(exc).__name__}: {exc}"[:300], "", _ms(started))
    finally:
        conn.close()


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
