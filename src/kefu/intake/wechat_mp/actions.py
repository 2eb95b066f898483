"""What a WeChat message becomes in kefu: the follower's customer (found or created by OpenID
through the customers actions), their open conversation on the channel (or a new one) and a
customer message through :func:`do_post_message`; media fetched from the platform and stored as
an attachment like any other."""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kefu.conversations.actions import do_post_message, do_start_conversation
from kefu.conversations.choices import AuthorKind, ConversationStatus
from kefu.conversations.models import Conversation
from kefu.core import clock
from kefu.core.errors import ValidationFailed
from kefu.core.tasks import task
from kefu.customers.actions import do_find_or_create_by_identity
from kefu.customers.choices import IdentityKind
from kefu.intake.wechat_mp import client
from kefu.intake.wechat_mp.models import WechatAccount, WechatFollower, WechatReceipt

log = logging.getLogger("kefu.intake.wechat_mp")

MEDIA_TYPES = {"image", "voice", "video", "shortvideo"}
QUALIFYING_EVENTS = {"subscribe", "click", "scan"}  # with every user message: opens the 48 h window
MEDIA_EXT = {"image": "jpg", "voice": "amr", "video": "mp4", "shortvideo": "mp4"}


def receipt_key(msg: dict[str, Any]) -> str:
    """The platform's MsgId; events have none, the documented key is FromUserName + CreateTime."""
    if msg.get("MsgId"):
        return f"m:{msg['MsgId']}"[:120]
    return f"e:{msg.get('FromUserName', '')}:{msg.get('CreateTime', '')}:{msg.get('Event', '')}"[:120]


def describe(msg: dict[str, Any]) -> str | None:
    """The customer message's text, or ``None`` for what is not a customer action (unfollow,
    location reports, menu links)."""
    kind = str(msg.get("MsgType") or "").lower()
    if kind == "text":
        return str(msg.get("Content") or "")
    if kind == "image":
        return _("[Image]")
    if kind == "voice":
        heard = str(msg.get("Recognition") or "").strip()
        return _("[Voice message] %(text)s") % {"text": heard} if heard else _("[Voice message]")
    if kind in ("video", "shortvideo"):
        return _("[Video]")
    if kind == "location":
        return _("[Location] %(label)s (%(lat)s, %(lng)s)") % {
            "label": msg.get("Label") or "",
            "lat": msg.get("Location_X") or "",
            "lng": msg.get("Location_Y") or "",
        }
    if kind == "link":
        return _("[Link] %(title)s %(url)s") % {"title": msg.get("Title") or "", "url": msg.get("Url") or ""}
    if kind == "event":
        event = str(msg.get("Event") or "").lower()
        key = str(msg.get("EventKey") or "")
        if event == "subscribe":
            scene = key.removeprefix("qrscene_")
            return (
                _("[Followed the official account] %(scene)s") % {"scene": scene}
                if scene
                else _("[Followed the official account]")
            )
        if event == "click":
            return _("[Menu click] %(key)s") % {"key": key}
        if event == "scan":
            return _("[Scanned a QR code] %(key)s") % {"key": key}
    return None


def check_receipt(account: WechatAccount, msg: dict[str, Any], *, now: datetime) -> bool:
    """Record the callback once: ``False`` for a retry of one already taken (nothing more happens)."""
    try:
        with transaction.atomic():
            WechatReceipt.objects.create(account=account, key=receipt_key(msg), created_at=now, payload=msg)
    except IntegrityError:
        return False
    return True


def _fetch_media(account: WechatAccount, msg: dict[str, Any]) -> tuple[list[SimpleUploadedFile], str]:
    """The media as an upload, or a note saying why it is missing (two tries, then the message is
    stored without it rather than lost)."""
    kind = str(msg.get("MsgType") or "").lower()
    media_id = str(msg.get("MediaId") or "")
    if not media_id:
        return [], ""
    error = ""
    for attempt in (1, 2):
        try:
            content_type, data = client.get_media(account, media_id)
        except (client.WechatApiError, OSError) as exc:
            error = str(exc)[:200]
            if attempt == 1:
                time.sleep(1)
            continue
        name = f"wechat-{kind}-{str(msg.get('MsgId') or media_id)[:40]}.{MEDIA_EXT.get(kind, 'bin')}"
        return [SimpleUploadedFile(name, data, content_type=content_type.split(";")[0])], ""
    log.warning("wechat media not fetched", extra={"account": account.pk, "error": error})
    return [], _("(the file could not be fetched from WeChat)")


@task("intake.wechat_mp_ingest", retries=3, retry_delay=10)
def ingest(account_id: int, msg: dict[str, Any]) -> None:
    account = WechatAccount.objects.select_related("channel").filter(pk=account_id).first()
    if account is None:
        return
    do_receive(account, msg, now=clock.now())


def do_receive(account: WechatAccount, msg: dict[str, Any], *, now: datetime) -> dict[str, Any] | None:
    key = receipt_key(msg)
    done = WechatReceipt.objects.filter(account=account, key=key, done_at__isnull=False)
    if done.exists():  # the job and the redeliver sweeper both got it: stored once
        return None
    text = describe(msg)
    openid = str(msg.get("FromUserName") or "").strip()[:64]
    if text is None or not openid:
        WechatReceipt.objects.filter(account=account, key=key).update(done_at=now, payload={})
        return None
    uploads, note = _fetch_media(account, msg) if str(msg.get("MsgType")).lower() in MEDIA_TYPES else ([], "")
    if note:
        text = f"{text} {note}"
    with transaction.atomic():
        receipt = WechatReceipt.objects.select_for_update().filter(account=account, key=key).first()
        if receipt is not None and receipt.done_at is not None:
            return None
        customer, _new = do_find_or_create_by_identity(
            IdentityKind.PLATFORM, f"wechat_mp:{account.app_id}:{openid}", now=now
        )
        WechatFollower.objects.update_or_create(
            account=account, openid=openid, defaults={"customer": customer, "last_action_at": now}
        )
        channel = account.channel
        conversation = (
            Conversation.objects.filter(channel=channel, customer=customer)
            .exclude(status=ConversationStatus.CLOSED)
            .order_by("-id")
            .first()
        )
        if conversation is None:
            conversation = do_start_conversation(channel, customer, now=now, subject=text[:60])
        try:
            message, _created = do_post_message(
                conversation,
                author_kind=AuthorKind.CUSTOMER,
                text=text[:5000],
                now=now,
                client_id=key[:64],
                attachments=uploads,
            )
        except ValidationFailed as exc:  # a file type kefu does not keep: the message without it
            message, _created = do_post_message(
                conversation,
                author_kind=AuthorKind.CUSTOMER,
                text=f"{text} ({exc.message})"[:5000],
                now=now,
                client_id=key[:64],
            )
        WechatReceipt.objects.filter(account=account, key=key).update(message=message, done_at=now, payload={})
    return {"conversation": conversation.pk, "message": message.pk, "customer": customer.pk}


REDELIVER_AFTER = timedelta(minutes=2)  # longer than the job's own retries take to start
REDELIVER_ATTEMPTS = 10


def do_redeliver(now: datetime, *, limit: int = 100) -> int:
    """Store the callbacks whose job failed or never ran (the process died after the receipt's
    commit): every receipt not done two minutes after it came, oldest first, at most
    ``REDELIVER_ATTEMPTS`` times each (then it stays for an operator, logged)."""
    stored = 0
    waiting = (
        WechatReceipt.objects.filter(
            done_at__isnull=True, created_at__lt=now - REDELIVER_AFTER, attempts__lt=REDELIVER_ATTEMPTS
        )
        .exclude(payload={})
        .select_related("account__channel")
        .order_by("id")[:limit]
    )
    for receipt in waiting:
        WechatReceipt.objects.filter(pk=receipt.pk).update(attempts=receipt.attempts + 1)
        try:
            if do_receive(receipt.account, dict(receipt.payload), now=now) is not None:
                stored += 1
        except Exception:
            log.exception("wechat message not stored again", extra={"receipt": receipt.pk})
    return stored
