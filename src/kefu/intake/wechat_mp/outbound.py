"""Agents' replies to a WeChat follower: a delivery row per message, sent by a job (never inline)
through ``cgi-bin/message/custom/send``.  WeChat takes customer-service messages only within 48 h
of the follower's last qualifying action (a message, a menu click, following, a scan); outside it
kefu does not call at all, and the platform's own refusal (45015) ends the delivery at once.  Both
leave an internal note on the thread that says why.  Other errors are retried with backoff."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from kefu.conversations.actions import do_post_message
from kefu.conversations.choices import AuthorKind, ChannelKind, ConversationStatus
from kefu.conversations.models import Message
from kefu.conversations.outbound import register
from kefu.core import clock
from kefu.core.events import record_audit
from kefu.core.tasks import task
from kefu.customers.choices import IdentityKind
from kefu.customers.models import CustomerIdentity
from kefu.intake.wechat_mp import client
from kefu.intake.wechat_mp.models import WechatAccount, WechatDelivery, WechatFollower

log = logging.getLogger("kefu.intake.wechat_mp")

WINDOW = timedelta(hours=48)
OUT_OF_WINDOW = 45015
ATTEMPTS = 5
BACKOFF = 30  # seconds, doubled after each failed attempt
FINAL_ERRORS = {OUT_OF_WINDOW, 40003, 43004, 45047, 48001}  # wrong OpenID, unfollowed, quota, no right
Status = WechatDelivery.Status


@register(ChannelKind.SOCIAL)
def deliver_wechat(message_id: int) -> None:
    """Record the delivery and queue it (runs after the message's commit)."""
    message = Message.objects.select_related("conversation__channel").filter(pk=message_id).first()
    if message is None or message.is_internal or message.author_kind != AuthorKind.AGENT:
        return
    if not WechatAccount.objects.filter(channel_id=message.conversation.channel_id).exists():
        return
    _delivery, created = WechatDelivery.objects.get_or_create(message=message, defaults={"created_at": clock.now()})
    if created:
        push_wechat_message.on_commit(message.pk)


@task("intake.wechat_mp_push", retries=0)
def push_wechat_message(message_id: int) -> None:
    delivery = (
        WechatDelivery.objects.select_related("message__conversation__channel__wechat_account")
        .filter(message_id=message_id)
        .first()
    )
    if delivery is None or delivery.status in (Status.SENT, Status.FAILED):
        return
    message = delivery.message
    conversation = message.conversation
    account = conversation.channel.wechat_account
    follower = _follower(account, conversation.customer_id)
    attempts = delivery.attempts + 1
    now = clock.now()
    if follower is None:
        _failed(delivery, None, _("This customer has no WeChat OpenID on this account."), attempts)
        return
    if follower.last_action_at + WINDOW < now:
        _failed(delivery, OUT_OF_WINDOW, window_text(), attempts)
        return
    payload = {"touser": follower.openid, "msgtype": "text", "text": {"content": message.text}}
    try:
        client.send_custom(account, payload)
    except client.WechatApiError as exc:
        if exc.errcode in FINAL_ERRORS:
            text = window_text() if exc.errcode == OUT_OF_WINDOW else refused_text(exc)
            _failed(delivery, exc.errcode, text, attempts)
            return
        _retry(delivery, exc.errcode, str(exc), attempts)
        return
    except (OSError, ValueError) as exc:
        _retry(delivery, None, f"{type(exc).__name__}: {exc}", attempts)
        return
    WechatDelivery.objects.filter(pk=delivery.pk).update(
        attempts=attempts, status=Status.SENT, sent_at=now, errcode=None, last_error=""
    )


def _follower(account: WechatAccount, customer_id: int) -> WechatFollower | None:
    """The follower behind the conversation's customer: by the customer's identity (it moves with a
    merge, R4), else by the follower row."""
    prefix = f"wechat_mp:{account.app_id}:"
    identities = CustomerIdentity.objects.filter(
        customer_id=customer_id, kind=IdentityKind.PLATFORM, value__startswith=prefix
    ).values_list("value", flat=True)
    openids = [value.removeprefix(prefix) for value in identities]
    found = WechatFollower.objects.filter(account=account, openid__in=openids) if openids else None
    if found is None or not found.exists():
        found = WechatFollower.objects.filter(account=account, customer_id=customer_id)
    return found.order_by("-last_action_at").first()


def window_text() -> str:
    return _(
        "Not delivered to WeChat: the customer's last message was more than 48 hours ago, so WeChat "
        "refuses customer-service messages (45015). The reply is kept here; it can be sent after the "
        "customer writes again."
    )


def refused_text(exc: client.WechatApiError) -> str:
    return _("Not delivered to WeChat: the platform refused it (error %(code)s).") % {"code": exc.errcode}


def _retry(delivery: WechatDelivery, errcode: int | None, error: str, attempts: int) -> None:
    if attempts >= ATTEMPTS:
        _failed(
            delivery,
            errcode,
            _("Not delivered to WeChat after %(n)d attempts: %(error)s") % {"n": attempts, "error": error[:200]},
            attempts,
        )
        return
    WechatDelivery.objects.filter(pk=delivery.pk).update(
        attempts=attempts, status=Status.RETRYING, errcode=errcode, last_error=error[:300]
    )
    delay = BACKOFF * 2 ** (attempts - 1)
    log.warning("wechat send failed, will retry", extra={"delivery": delivery.pk, "error": error, "delay": delay})
    push_wechat_message._huey_task.schedule(args=(delivery.message_id,), delay=delay)


def _failed(delivery: WechatDelivery, errcode: int | None, text: str, attempts: int) -> None:
    now = clock.now()
    conversation = delivery.message.conversation
    with transaction.atomic():
        WechatDelivery.objects.filter(pk=delivery.pk).update(
            attempts=attempts, status=Status.FAILED, errcode=errcode, last_error=text[:300]
        )
        record_audit(conversation, "wechat.delivery_failed", actor=None, now=now, data={"errcode": errcode})
        if conversation.status != ConversationStatus.CLOSED:
            do_post_message(conversation, author_kind=AuthorKind.SYSTEM, text=text, now=now, is_internal=True)
    log.warning("wechat send failed for good", extra={"delivery": delivery.pk, "errcode": errcode})
