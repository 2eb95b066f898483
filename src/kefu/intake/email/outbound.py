"""Agents' replies to email tickets, sent by SMTP from the job queue.

``do_post_message`` calls :func:`deliver_email` after commit for every agent/bot message of an
email conversation; it records an outbound :class:`MailMessage` (queued, with its Message-ID
fixed now so a customer's reply threads even before the mail leaves) and enqueues
:data:`send_email`, which retries; each attempt's outcome is kept on the mail, the final
failure becomes an audit event on the ticket and an internal note in the conversation.
"""

from __future__ import annotations

import html
import logging
import re
import smtplib
import ssl
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr, make_msgid, parseaddr

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from kefu.conversations.actions import do_post_message
from kefu.conversations.choices import AuthorKind, ChannelKind
from kefu.conversations.models import Message
from kefu.conversations.outbound import register
from kefu.core import clock
from kefu.core.events import record_audit
from kefu.core.tasks import task
from kefu.customers.choices import IdentityKind
from kefu.customers.models import CustomerIdentity
from kefu.intake.choices import DeliveryStatus, Direction, MailSource
from kefu.intake.email.store import store_raw
from kefu.intake.email.threads import TOKEN
from kefu.intake.models import MailMessage
from kefu.tickets.models import Ticket

log = logging.getLogger("kefu.intake.email")

RETRIES = 4
ATTEMPTS = RETRIES + 1
_LINE_BREAKS = re.compile(r"[\r\n\x00]+")
_ADDRESS = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+$")


class PermanentFailure(Exception):
    """Retrying cannot help (no recipient, bad address, no SMTP server configured)."""


def mail_from() -> tuple[str, str]:
    name, address = parseaddr(settings.KEFU_MAIL.mail_from)
    return name, address or settings.KEFU_MAIL.mail_from


def mail_domain() -> str:
    return mail_from()[1].rpartition("@")[2] or "localhost"


def plus_address(ticket_id: int) -> str:
    local, _at, domain = mail_from()[1].rpartition("@")
    return f"{local}+t{ticket_id}@{domain}"


def one_line(value: str) -> str:
    """Header text without CR/LF (no header injection from a subject or a name)."""
    return _LINE_BREAKS.sub(" ", value or "").strip()


@register(ChannelKind.EMAIL)
def deliver_email(message_id: int) -> None:
    """Record the outbound mail and queue it (runs after the message's commit)."""
    message = Message.objects.select_related("conversation").filter(pk=message_id).first()
    if message is None or MailMessage.objects.filter(message=message).exists():
        return
    conversation = message.conversation
    ticket = Ticket.objects.filter(conversation=conversation).order_by("-id").first()
    last_in = (
        MailMessage.objects.filter(conversation=conversation, direction=Direction.INBOUND, kind="normal")
        .order_by("-id")
        .first()
    )
    references = [*(last_in.reference_list if last_in else []), *([last_in.msgid] if last_in else [])][-20:]
    subject = one_line(ticket.subject if ticket else conversation.subject) or _("Your enquiry")
    if ticket is not None and not TOKEN.search(subject):
        subject = f"{subject} [#{ticket.pk}]"
    if not subject.lower().startswith(("re:", "回复", "答复")):
        subject = f"Re: {subject}"
    now = clock.now()
    with transaction.atomic():
        mail = MailMessage.objects.create(
            direction=Direction.OUTBOUND,
            message=message,
            conversation=conversation,
            ticket=ticket,
            msgid=make_msgid(idstring=f"kefu.{message.pk}", domain=mail_domain()).strip("<>"),
            in_reply_to=last_in.msgid if last_in else "",
            references=" ".join(references),
            subject=subject[:300],
            from_name=mail_from()[0][:200],
            from_address=mail_from()[1][:254],
            to=[[last_in.from_name, last_in.from_address]] if last_in else [],
            text=message.text,
            delivery_status=DeliveryStatus.QUEUED,
            created_at=now,
        )
        send_email.on_commit(mail.pk)


def _recipient(mail: MailMessage) -> tuple[str, str]:
    if mail.to:
        name, address = mail.to[0]
        return str(name), str(address)
    if mail.conversation is None:
        return "", ""
    identity = CustomerIdentity.objects.filter(
        customer_id=mail.conversation.customer_id, kind=IdentityKind.EMAIL
    ).first()
    return ("", identity.value) if identity else ("", "")


def build(mail: MailMessage) -> EmailMessage:
    name, address = _recipient(mail)
    if not address:
        raise PermanentFailure(_("The customer has no email address."))
    if not _ADDRESS.match(address):
        raise PermanentFailure(_("“%(address)s” is not an address mail can be sent to.") % {"address": address})
    msg = EmailMessage(policy=SMTP)
    from_name, from_address = mail_from()
    msg["From"] = formataddr((one_line(from_name), from_address))
    msg["To"] = formataddr((one_line(name), address))
    if mail.ticket_id:
        msg["Reply-To"] = formataddr((one_line(from_name), plus_address(mail.ticket_id)))
        msg["X-Kefu-Ticket"] = str(mail.ticket_id)
    msg["Subject"] = one_line(mail.subject)
    msg["Message-ID"] = f"<{mail.msgid}>"
    if mail.in_reply_to:
        msg["In-Reply-To"] = f"<{mail.in_reply_to}>"
    if mail.references:
        msg["References"] = " ".join(f"<{ref}>" for ref in mail.reference_list)
    msg["Date"] = format_datetime(mail.created_at)
    msg.set_content(mail.text, charset="utf-8")
    body = "<br>\n".join(html.escape(line) for line in mail.text.split("\n"))
    msg.add_alternative(
        f'<!doctype html><html><head><meta charset="utf-8"></head><body><div>{body}</div></body></html>',
        subtype="html",
        charset="utf-8",
    )
    if mail.message_id is not None:
        for item in mail.message.attachments.all():  # type: ignore[union-attr]
            maintype, _slash, subtype = (item.content_type or "application/octet-stream").partition("/")
            with item.file.open("rb") as handle:
                msg.add_attachment(
                    handle.read(), maintype=maintype, subtype=subtype or "octet-stream", filename=item.name
                )
    return msg


def _send(msg: EmailMessage, recipient: str) -> None:
    cfg = settings.KEFU_MAIL
    if not cfg.smtp_host:
        raise PermanentFailure(_("No SMTP server is configured (KEFU_SMTP_HOST)."))
    context = ssl.create_default_context()
    client: smtplib.SMTP
    if cfg.smtp_tls == "ssl":
        client = smtplib.SMTP_SSL(cfg.smtp_host, cfg.smtp_port, timeout=30, context=context)
    else:
        client = smtplib.SMTP(cfg.smtp_host, cfg.smtp_port, timeout=30)
    with client:
        if cfg.smtp_tls == "starttls":
            client.starttls(context=context)
        if cfg.smtp_user:
            client.login(cfg.smtp_user, cfg.smtp_password)
        client.send_message(msg, from_addr=mail_from()[1], to_addrs=[recipient])


@task("intake.send_email", retries=RETRIES, retry_delay=60)
def send_email(mail_id: int) -> None:
    mail = MailMessage.objects.select_related("conversation", "ticket").filter(pk=mail_id).first()
    if mail is None or mail.delivery_status in (DeliveryStatus.SENT, DeliveryStatus.FAILED):
        return
    now = clock.now()
    attempts = mail.attempts + 1
    try:
        msg = build(mail)
        data = msg.as_bytes()
        _send(msg, _recipient(mail)[1])
    except PermanentFailure as exc:
        _failed(mail, str(exc), attempts=attempts)
        return
    except (OSError, smtplib.SMTPException) as exc:
        error = f"{type(exc).__name__}: {exc}"[:1000]
        if attempts >= ATTEMPTS:
            _failed(mail, error, attempts=attempts)
            return
        MailMessage.objects.filter(pk=mail.pk).update(
            attempts=attempts, delivery_status=DeliveryStatus.RETRYING, last_error=error
        )
        log.warning("mail send failed, will retry", extra={"mail": mail.pk, "attempt": attempts, "error": error})
        raise
    raw = store_raw(data, source=MailSource.OUTBOUND, now=now, envelope_to=[_recipient(mail)[1]])
    MailMessage.objects.filter(pk=mail.pk).update(
        attempts=attempts, delivery_status=DeliveryStatus.SENT, sent_at=now, last_error="", raw=raw
    )
    if mail.ticket is not None:
        record_audit(mail.ticket, "mail.sent", actor=None, now=now, data={"mail": mail.pk, "message_id": mail.msgid})
    log.info("mail sent", extra={"mail": mail.pk, "ticket": mail.ticket_id, "attempt": attempts})


def _failed(mail: MailMessage, error: str, *, attempts: int) -> None:
    now = clock.now()
    with transaction.atomic():
        MailMessage.objects.filter(pk=mail.pk).update(
            attempts=attempts, delivery_status=DeliveryStatus.FAILED, last_error=error
        )
        if mail.ticket is not None:
            record_audit(mail.ticket, "mail.failed", actor=None, now=now, data={"mail": mail.pk, "error": error})
        if mail.conversation is not None and mail.conversation.status != "closed":
            do_post_message(
                mail.conversation,
                author_kind=AuthorKind.SYSTEM,
                text=_("The email reply could not be sent: %(error)s") % {"error": error[:300]},
                now=now,
                is_internal=True,
            )
    log.warning("mail send failed for good", extra={"mail": mail.pk, "attempts": attempts, "error": error})


def retry_now(mail: MailMessage) -> None:
    """An agent asks to try a failed mail again."""
    MailMessage.objects.filter(pk=mail.pk).update(delivery_status=DeliveryStatus.QUEUED, attempts=0, last_error="")
    send_email.on_commit(mail.pk)
