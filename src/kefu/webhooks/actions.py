"""Every write to webhook endpoints and deliveries (docs/webhooks.md)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.utils.translation import gettext as _

from kefu.core import clock
from kefu.core.actions import action
from kefu.core.errors import ValidationFailed
from kefu.core.events import record_audit
from kefu.core.inputs import check_text
from kefu.core.models import StreamEvent
from kefu.webhooks.choices import EVENT_TYPES, DeliveryStatus
from kefu.webhooks.hooks import forget_subscriptions
from kefu.webhooks.models import Delivery, Endpoint

# Wait after failed attempt n (1-based): 1 min, 5 min, 15 min, 1 h, 3 h, 6 h, 12 h; attempt 8 is the last.
RETRY_DELAYS = (60, 300, 900, 3600, 3 * 3600, 6 * 3600, 12 * 3600)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
LOG_KEEP = 20  # attempts kept in a delivery's log
KEEP_DAYS = 30  # delivered and failed deliveries are deleted after this many days
EXCERPT = 500  # characters of the response body kept


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


# A host name (labels of letters, digits and inner hyphens, IDN letters too), an IPv4 or an IPv6 address.
_LABEL = r"[^\W_](?:[^\W_]|-){0,61}(?<!-)"
_HOST = re.compile(rf"^(?:{_LABEL}\.)*{_LABEL}\.?$|^[0-9a-fA-F:.]*:[0-9a-fA-F:.]*$")


def clean_url(url: str) -> str:
    """http(s) only, a host, no user name or password in it (SSRF care: docs/webhooks.md)."""
    url = check_text(str(url or "").strip(), field="url")
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        raise ValidationFailed(_("The webhook URL is not a valid address."), field="url") from None
    if parts.scheme not in ("http", "https"):
        raise ValidationFailed(_("A webhook URL must start with http:// or https://."), field="url")
    if not parts.hostname or parts.username is not None or parts.password is not None:
        raise ValidationFailed(_("A webhook URL needs a host and no user name or password."), field="url")
    if not _HOST.match(parts.hostname):
        raise ValidationFailed(_("The webhook URL is not a valid address."), field="url")
    try:
        port = parts.port
    except ValueError:  # out of range or not a number
        port = -1
    if port is not None and not 1 <= port <= 65535:
        raise ValidationFailed(_("The webhook URL has an invalid port."), field="url")
    if len(url) > 500:
        raise ValidationFailed(_("The webhook URL is too long."), field="url")
    return url


def clean_event_types(event_types: Iterable[Any]) -> list[str]:
    chosen = [str(t) for t in event_types]
    unknown = [t for t in chosen if t not in EVENT_TYPES]
    if unknown:
        raise ValidationFailed(
            _("Unknown event type: %(types)s.") % {"types": ", ".join(unknown)[:200]}, field="event_types"
        )
    if not chosen:
        raise ValidationFailed(_("Choose at least one event type."), field="event_types")
    return [t for t in EVENT_TYPES if t in chosen]


def _clean_name(name: str) -> str:
    name = check_text(str(name or "").strip(), field="name")
    if not name or len(name) > 80:
        raise ValidationFailed(_("Give the endpoint a name of 1 to 80 characters."), field="name")
    return name


def _clean_secret(secret: str) -> str:
    secret = check_text(str(secret or "").strip(), field="secret")
    if secret and not 16 <= len(secret) <= 200:
        raise ValidationFailed(_("A signing secret has 16 to 200 characters."), field="secret")
    return secret


@action("webhooks.add_endpoint")
def check_create_endpoint(
    *, actor: Any, name: str, url: str, event_types: Iterable[Any], secret: str = "", active: bool = True
) -> Endpoint:
    """A new endpoint; without a secret, one is generated (the caller shows it to the administrator)."""
    fields = {
        "name": _clean_name(name),
        "url": clean_url(url),
        "event_types": clean_event_types(event_types),
        "secret": _clean_secret(secret) or new_secret(),
        "active": bool(active),
    }
    now = clock.now()
    with transaction.atomic():
        endpoint = Endpoint.objects.create(**fields, created_at=now, created_by=actor)
        record_audit(
            endpoint,
            "webhook.created",
            actor=actor,
            now=now,
            data={"url": endpoint.url, "events": endpoint.event_types},
        )
    forget_subscriptions()
    return endpoint


@action("webhooks.change_endpoint")
def check_update_endpoint(
    endpoint: Endpoint,
    *,
    actor: Any,
    name: str | None = None,
    url: str | None = None,
    event_types: Iterable[Any] | None = None,
    secret: str | None = None,
    active: bool | None = None,
) -> Endpoint:
    """Change what is given (``None`` keeps it); a blank secret keeps the stored one."""
    changes: dict[str, Any] = {}
    if name is not None:
        changes["name"] = _clean_name(name)
    if url is not None:
        changes["url"] = clean_url(url)
    if event_types is not None:
        changes["event_types"] = clean_event_types(event_types)
    if secret:
        changes["secret"] = _clean_secret(secret)
    if active is not None:
        changes["active"] = bool(active)
    now = clock.now()
    with transaction.atomic():
        locked = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
        changed = [k for k, v in changes.items() if getattr(locked, k) != v]
        for key in changed:
            setattr(locked, key, changes[key])
        if changed:
            locked.save(update_fields=changed)
            record_audit(locked, "webhook.updated", actor=actor, now=now, data={"changed": sorted(changed)})
    forget_subscriptions()
    return locked


@action("webhooks.delete_endpoint")
def check_delete_endpoint(endpoint: Endpoint, *, actor: Any) -> None:
    """Delete the endpoint and its delivery log (to pause it, make it inactive instead)."""
    now = clock.now()
    with transaction.atomic():
        record_audit(endpoint, "webhook.deleted", actor=actor, now=now, data={"url": endpoint.url})
        Endpoint.objects.filter(pk=endpoint.pk).delete()
    forget_subscriptions()


@action("webhooks.replay_delivery")
def check_replay_delivery(delivery: Delivery, *, actor: Any) -> Delivery:
    """Send a delivery's payload again as a new delivery (a new id; the original row is kept)."""
    now = clock.now()
    with transaction.atomic():
        replay = Delivery.objects.create(
            endpoint=delivery.endpoint,
            event_type=delivery.event_type,
            event_key=delivery.event_key,
            payload=delivery.payload,
            next_attempt_at=now,
            created_at=now,
            replay_of=delivery,
        )
        record_audit(
            delivery.endpoint,
            "webhook.replayed",
            actor=actor,
            now=now,
            data={"delivery": delivery.pk, "replay": replay.pk, "event": delivery.event_key},
        )
    return replay


# --- the system's writes (the worker) -------------------------------------------------------------


def event_payload(event: StreamEvent) -> dict[str, Any]:
    return {
        "event": f"{event.type}.{event.op}",
        "event_id": f"{event.stream_key}#{event.seq}",
        "data": event.as_event(),
    }


def do_fan_out(keys: list[tuple[str, int]], *, now: datetime) -> int:
    """One pending delivery per (subscribed active endpoint, stored stream event); an event that
    does not exist (its transaction rolled back) is skipped, a delivery that exists is kept."""
    endpoints = list(Endpoint.objects.filter(active=True))
    if not endpoints or not keys:
        return 0
    wanted: dict[str, set[int]] = {}
    for stream_key, seq in keys:
        wanted.setdefault(str(stream_key), set()).add(int(seq))
    rows = []
    for stream_key, seqs in wanted.items():
        for event in StreamEvent.objects.filter(stream_key=stream_key, seq__in=seqs):
            event_type = f"{event.type}.{event.op}"
            payload = event_payload(event)
            for endpoint in endpoints:
                if event_type in endpoint.event_types:
                    rows.append(
                        Delivery(
                            endpoint=endpoint,
                            event_type=event_type,
                            event_key=payload["event_id"],
                            payload=payload,
                            next_attempt_at=now,
                            created_at=now,
                        )
                    )
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def do_claim_due(*, now: datetime, lease: int, limit: int = 50) -> list[int]:
    """Due pending deliveries for the sender jobs; each is leased (its next attempt moved to
    ``now + lease``) so no other sweep sends it meanwhile, and a worker that dies mid-send only
    delays it by the lease."""
    with transaction.atomic():
        ids = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now, endpoint__active=True)
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            Delivery.objects.filter(pk__in=ids).update(next_attempt_at=now + timedelta(seconds=lease))
    return ids


def do_record_attempt(
    delivery_id: int, *, now: datetime, status_code: int | None, error: str, excerpt: str, ms: int
) -> Delivery | None:
    """The result of one POST: a 2xx delivers; anything else waits ``RETRY_DELAYS[n-1]`` or,
    after ``MAX_ATTEMPTS``, fails."""
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().filter(pk=delivery_id).first()
        if delivery is None or delivery.status != DeliveryStatus.PENDING:
            return delivery
        delivery.attempts += 1
        delivery.status_code = status_code
        delivery.error = error[:300]
        delivery.response_excerpt = excerpt[:EXCERPT]
        entry = {"at": now.isoformat(), "status": status_code, "error": error[:300], "ms": ms}
        delivery.log = [*delivery.log, entry][-LOG_KEEP:]
        if status_code is not None and 200 <= status_code < 300:
            delivery.status = DeliveryStatus.DELIVERED
            delivery.delivered_at = now
            delivery.next_attempt_at = None
        elif delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = DeliveryStatus.FAILED
            delivery.next_attempt_at = None
        else:
            delivery.next_attempt_at = now + timedelta(seconds=RETRY_DELAYS[delivery.attempts - 1])
        delivery.save()
    return delivery


def do_prune_deliveries(*, now: datetime, limit: int = 1000) -> int:
    """Delete delivered and failed deliveries older than ``KEEP_DAYS`` (pending ones stay), at most
    ``limit`` per call."""
    old = (
        Delivery.objects.filter(created_at__lt=now - timedelta(days=KEEP_DAYS))
        .exclude(status=DeliveryStatus.PENDING)
        .values_list("pk", flat=True)[:limit]
    )
    ids = list(old)
    if ids:
        Delivery.objects.filter(pk__in=ids).delete()
    return len(ids)
