"""Platform messages in (signed webhook, idempotent) and agents' answers out (callback URL,
signed, retried).  Conversations are the web chat's: same model, same agent screens."""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kefu.conversations.actions import do_post_message, do_start_conversation
from kefu.conversations.choices import AuthorKind, ChannelKind, ConversationStatus
from kefu.conversations.models import Channel, Conversation, Message
from kefu.conversations.outbound import register
from kefu.core import clock
from kefu.core.errors import ValidationFailed
from kefu.core.events import record_audit
from kefu.core.tasks import task
from kefu.customers.actions import do_find_or_create_by_identity
from kefu.customers.choices import IdentityKind
from kefu.customers.models import CustomerIdentity
from kefu.intake.choices import DeliveryStatus
from kefu.intake.models import PlatformDelivery
from kefu.intake.webhooks import sign

log = logging.getLogger("kefu.intake.platform")

RETRIES = 4
ATTEMPTS = RETRIES + 1
TIMEOUT = 10


def platform_name(channel: Channel) -> str:
    return str(channel.config.get("platform") or channel.key).strip().lower()[:40]


def do_receive(channel: Channel, data: dict[str, Any], *, now: datetime) -> dict[str, Any]:
    raw_user = data.get("user")
    user: dict[str, Any] = raw_user if isinstance(raw_user, dict) else {}
    account = str(user.get("id") or "").strip()[:150]
    text = str(data.get("text") or "").strip()
    message_id = str(data.get("message_id") or "").strip()[:64]
    if not account:
        raise ValidationFailed(_("user.id is required."))
    if not text:
        raise ValidationFailed(_("text is required."))
    with transaction.atomic():
        customer, _new = do_find_or_create_by_identity(
            IdentityKind.PLATFORM,
            f"{platform_name(channel)}:{account}",
            now=now,
            defaults={"name": str(user.get("name") or "")[:80]},
        )
        conversation = (
            Conversation.objects.filter(channel=channel, customer=customer)
            .exclude(status=ConversationStatus.CLOSED)
            .order_by("-id")
            .first()
        )
        if conversation is None:
            subject = str(data.get("subject") or "")[:200] or text[:60]
            conversation = do_start_conversation(channel, customer, now=now, subject=subject)
        message, created = do_post_message(
            conversation, author_kind=AuthorKind.CUSTOMER, text=text[:5000], now=now, client_id=message_id
        )
    return {"conversation": conversation.pk, "message": message.pk, "customer": customer.pk, "created": created}


@register(ChannelKind.PLATFORM)
def deliver_platform(message_id: int) -> None:
    message = Message.objects.filter(pk=message_id).first()
    if message is None:
        return
    _delivery, created = PlatformDelivery.objects.get_or_create(
        message=message, defaults={"status": DeliveryStatus.QUEUED, "created_at": clock.now()}
    )
    if created:
        push_platform_message.on_commit(message.pk)


def _payload(message: Message) -> dict[str, Any]:
    conversation = message.conversation
    identity = CustomerIdentity.objects.filter(customer=conversation.customer, kind=IdentityKind.PLATFORM).first()
    account = identity.value.partition(":")[2] if identity else ""
    return {
        "type": "message",
        "message_id": message.pk,
        "conversation": conversation.pk,
        "user": {"id": account},
        "text": message.text,
        "author": (message.author.get_full_name() or message.author.get_username()) if message.author else "",
        "created_at": message.created_at.isoformat(),
    }


def _post(channel: Channel, body: bytes) -> int:
    url = str(channel.config.get("callback_url") or "")
    if not url.startswith(("http://", "https://")):
        raise PermissionError(_("The channel has no callback URL."))
    request = urllib.request.Request(  # noqa: S310 (scheme checked above)
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "X-Kefu-Channel": channel.key,
            "X-Kefu-Signature": sign(channel.secret, body),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as exc:
        exc.close()  # it holds the connection
        raise OSError(f"HTTP {exc.code} from the callback URL") from None


@task("intake.platform_push", retries=RETRIES, retry_delay=30)
def push_platform_message(message_id: int) -> None:
    delivery = (
        PlatformDelivery.objects.select_related("message__conversation__channel").filter(message_id=message_id).first()
    )
    if delivery is None or delivery.status in (DeliveryStatus.SENT, DeliveryStatus.FAILED):
        return
    message = delivery.message
    channel = message.conversation.channel
    attempts = delivery.attempts + 1
    body = json.dumps(_payload(message), ensure_ascii=False).encode()
    now = clock.now()
    try:
        _post(channel, body)
    except PermissionError as exc:
        _failed(delivery, str(exc), attempts)
        return
    except (OSError, urllib.error.URLError, ValueError) as exc:
        error = f"{type(exc).__name__}: {exc}"[:1000]
        if attempts >= ATTEMPTS:
            _failed(delivery, error, attempts)
            return
        PlatformDelivery.objects.filter(pk=delivery.pk).update(
            attempts=attempts, status=DeliveryStatus.RETRYING, last_error=error
        )
        log.warning("platform push failed, will retry", extra={"delivery": delivery.pk, "error": error})
        raise
    PlatformDelivery.objects.filter(pk=delivery.pk).update(
        attempts=attempts, status=DeliveryStatus.SENT, sent_at=now, last_error=""
    )


def _failed(delivery: PlatformDelivery, error: str, attempts: int) -> None:
    now = clock.now()
    conversation = delivery.message.conversation
    with transaction.atomic():
        PlatformDelivery.objects.filter(pk=delivery.pk).update(
            attempts=attempts, status=DeliveryStatus.FAILED, last_error=error
        )
        record_audit(conversation, "platform.delivery_failed", actor=None, now=now, data={"error": error[:300]})
        if conversation.status != ConversationStatus.CLOSED:
            do_post_message(
                conversation,
                author_kind=AuthorKind.SYSTEM,
                text=_("The message could not be delivered to the platform: %(error)s") % {"error": error[:300]},
                now=now,
                is_internal=True,
            )
    log.warning("platform push failed for good", extra={"delivery": delivery.pk, "error": error})
