"""One mail in: store raw → parse → deduplicate → classify → thread → customer → ticket.

Outcomes (``status``): ``created`` (new ticket), ``appended`` (added to a ticket), ``duplicate``
(the same Message-ID, or the same bytes, was seen before), ``bounce``, ``auto_reply`` (recorded,
never answered), ``rejected`` (too large, empty, no usable sender: the raw mail is kept).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kefu.conversations.actions import do_post_message, do_start_conversation
from kefu.conversations.choices import AuthorKind, ChannelKind, ConversationStatus
from kefu.conversations.models import Channel, Conversation, Message
from kefu.core import clock
from kefu.core.errors import KefuError, ValidationFailed
from kefu.core.events import record_audit
from kefu.core.uploads import check_upload
from kefu.customers.actions import do_find_or_create_by_identity
from kefu.customers.choices import IdentityKind
from kefu.customers.identities import normalise
from kefu.customers.models import Customer
from kefu.intake.choices import DeliveryStatus, Direction, IngestStatus, MailKind
from kefu.intake.email.parse import ParsedMail, parse
from kefu.intake.email.store import store_raw
from kefu.intake.email.threads import find_thread
from kefu.intake.models import FailingAddress, MailAttachment, MailMessage, RawMail
from kefu.tickets.actions import do_create_ticket
from kefu.tickets.choices import TicketStatus
from kefu.tickets.models import Ticket

log = logging.getLogger("kefu.intake.email")

MESSAGE_CHARS = 5000  # conversations.Message holds at most this much; the full text stays on the mail
CONVERSATION_ATTACHMENTS = 20


@dataclass
class IngestResult:
    status: str
    raw: int | None = None
    ticket: int | None = None
    message: int | None = None
    customer: int | None = None
    mail: int | None = None
    reason: str = ""
    parsed: ParsedMail | None = field(default=None, repr=False)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "status": self.status,
            "ticket": self.ticket,
            "message": self.message,
            "customer": self.customer,
            "raw": self.raw,
        }
        parsed = self.parsed
        out.update(
            subject=parsed.subject if parsed else "",
            from_name=parsed.from_name if parsed else "",
            from_address=parsed.from_address if parsed else "",
            text=parsed.new_text if parsed else "",
            attachments=parsed.attachment_names if parsed else [],
        )
        if self.reason:
            out["reason"] = self.reason
        if parsed and parsed.defects:
            out["notes"] = parsed.defects[:20]
        return out


def ingest(
    data: bytes,
    *,
    source: str,
    now: datetime | None = None,
    mailbox: str = "",
    envelope_from: str = "",
    envelope_to: Sequence[str] = (),
) -> IngestResult:
    """Store ``data`` first, then process it.  Raises only if the raw mail cannot be stored
    (the caller then refuses the mail temporarily, so the sender retries)."""
    now = now or clock.now()
    raw = store_raw(data, source=source, now=now, mailbox=mailbox, envelope_from=envelope_from, envelope_to=envelope_to)
    return process(raw, data, now=now, envelope_to=envelope_to)


def _finish(raw: RawMail, result: IngestResult, now: datetime) -> IngestResult:
    result.raw = raw.pk
    RawMail.objects.filter(pk=raw.pk).update(status=result.status, error=result.reason[:2000], processed_at=now)
    level = logging.WARNING if result.status in (IngestStatus.REJECTED, IngestStatus.FAILED) else logging.INFO
    log.log(
        level,
        "mail %s",
        result.status,
        extra={
            "raw_mail": raw.pk,
            "status": result.status,
            "ticket": result.ticket,
            "message_id": result.message,
            "reason": result.reason,
        },
    )
    return result


def process(raw: RawMail, data: bytes, *, now: datetime, envelope_to: Sequence[str] = ()) -> IngestResult:
    limit = settings.KEFU_MAIL.max_mail_mb * 1024 * 1024
    if not data.strip():
        return _finish(raw, IngestResult(IngestStatus.REJECTED, reason="empty mail"), now)
    if len(data) > limit:
        reason = f"mail of {len(data) / 1048576:.1f} MB is over the {settings.KEFU_MAIL.max_mail_mb} MB limit"
        return _finish(raw, IngestResult(IngestStatus.REJECTED, reason=reason), now)
    parsed = parse(data)
    try:
        with transaction.atomic():
            result = _route(raw, parsed, now=now, envelope_to=envelope_to)
    except IntegrityError:
        # A concurrent delivery of the same Message-ID won the insert.
        result = _duplicate_of(parsed, raw) or IngestResult(IngestStatus.DUPLICATE)
    except KefuError as exc:
        result = IngestResult(IngestStatus.REJECTED, reason=str(exc.message))
    except Exception as exc:  # the raw mail is stored; an operator can re-run it
        log.exception("mail processing failed", extra={"raw_mail": raw.pk})
        result = IngestResult(IngestStatus.FAILED, reason=f"{type(exc).__name__}: {exc}"[:500])
    result.parsed = parsed
    return _finish(raw, result, now)


def reprocess(raw: RawMail, *, now: datetime | None = None) -> IngestResult:
    from kefu.intake.email.store import read_raw

    return process(raw, read_raw(raw), now=now or clock.now(), envelope_to=raw.envelope_to)


def _msgid(parsed: ParsedMail, raw: RawMail) -> str:
    return parsed.message_id or f"sha256-{raw.sha256}@kefu.invalid"


def _duplicate_of(parsed: ParsedMail, raw: RawMail) -> IngestResult | None:
    seen = MailMessage.objects.filter(msgid=_msgid(parsed, raw)).order_by("id").first()
    if seen is None:
        return None
    customer = (
        Ticket.objects.filter(pk=seen.ticket_id).values_list("customer_id", flat=True).first()
        if seen.ticket_id
        else None
    )
    return IngestResult(
        IngestStatus.DUPLICATE,
        ticket=seen.ticket_id,
        message=seen.message_id,
        customer=customer,
        mail=seen.pk,
        reason=f"already received as raw mail {seen.raw_id}",
    )


def email_channel(recipients: Sequence[str]) -> Channel:
    """The email channel a mail was sent to (``Channel.config["addresses"]``), else the first one."""
    channels = list(Channel.objects.filter(kind=ChannelKind.EMAIL, is_active=True).order_by("id"))
    lowered = {r.lower() for r in recipients}
    for channel in channels:
        addresses = channel.config.get("addresses") or [channel.config.get("address", "")]
        if lowered & {str(a).lower() for a in addresses if a}:
            return channel
    if channels:
        return channels[0]
    channel, _created = Channel.objects.get_or_create(
        key="email", defaults={"name": _("Email"), "kind": ChannelKind.EMAIL}
    )
    return channel


def _route(raw: RawMail, parsed: ParsedMail, *, now: datetime, envelope_to: Sequence[str]) -> IngestResult:
    duplicate = _duplicate_of(parsed, raw)
    if duplicate is not None:
        return duplicate
    recipients = [a for _n, a in parsed.to + parsed.cc] + list(parsed.delivered_to) + list(envelope_to)
    thread = find_thread(
        in_reply_to=parsed.in_reply_to,
        references=parsed.references,
        subject=parsed.subject,
        recipients=recipients,
    )
    kind = MailKind.NORMAL
    if parsed.classification.is_bounce:
        kind = MailKind.BOUNCE
    elif parsed.classification.is_auto_reply:
        kind = MailKind.AUTO_REPLY
    if kind != MailKind.NORMAL:
        return _record_automatic(raw, parsed, kind, thread.ticket, now=now)
    sender = _sender(parsed, raw)
    if not sender:
        raise ValidationFailed(_("The mail has no sender address."))
    address = normalise(IdentityKind.EMAIL, sender)
    channel = email_channel(recipients)
    ticket = thread.ticket
    conversation = ticket.conversation if ticket is not None else None
    if ticket is not None and (
        ticket.status in (TicketStatus.CLOSED, TicketStatus.CANCELLED)
        or conversation is None
        or conversation.status == ConversationStatus.CLOSED
    ):
        previous, ticket, conversation = ticket, None, None
    else:
        previous = None
    if ticket is not None and conversation is not None:
        customer = conversation.customer
        message = _post(conversation, parsed, now=now)  # tickets follow through conversations.hooks
        status = IngestStatus.APPENDED
    else:
        customer, _new = do_find_or_create_by_identity(
            IdentityKind.EMAIL, address, now=now, defaults={"name": parsed.from_name[:80]}
        )
        subject = parsed.subject.strip() or _("(no subject)")
        conversation = do_start_conversation(channel, customer, now=now, subject=subject)
        message = _post(conversation, parsed, now=now)
        description = parsed.new_text[:MESSAGE_CHARS]
        if previous is not None:
            description = _("Follow-up to ticket #%(id)s.") % {"id": previous.pk} + "\n\n" + description
        ticket = do_create_ticket(
            customer,
            subject=subject[:200],
            now=now,
            conversation=conversation,
            team=channel.team,
            source=ChannelKind.EMAIL,
            shop=channel.shop,
            description=description,
        )
        status = IngestStatus.CREATED
    mail = _save_mail(raw, parsed, now=now, kind=MailKind.NORMAL, message=message, ticket=ticket)
    return IngestResult(status, ticket=ticket.pk, message=message.pk, customer=customer.pk, mail=mail.pk)


def _sender(parsed: ParsedMail, raw: RawMail) -> str:
    """Who to answer: From, else Reply-To, else the envelope sender (never a bounce address)."""
    for address in (parsed.from_address, *(a for _n, a in parsed.reply_to), raw.envelope_from):
        if address and "@" in address:
            return address
    return ""


def _message_text(parsed: ParsedMail) -> str:
    text = parsed.new_text.strip()
    if len(text) > MESSAGE_CHARS:
        text = text[: MESSAGE_CHARS - 40].rstrip() + "\n…" + _("(continued in the original mail)")
    if not text:
        names = ", ".join(parsed.attachment_names[:10])
        text = _("(attachments: %(names)s)") % {"names": names} if names else _("(empty mail)")
    return text


def _conversation_files(parsed: ParsedMail) -> list[SimpleUploadedFile]:
    """Attachments the chat view can show safely (type proven by the bytes); all of them stay on the mail."""
    files: list[SimpleUploadedFile] = []
    for part in parsed.attachments:
        if len(files) >= CONVERSATION_ATTACHMENTS or not part.data:
            continue
        upload = SimpleUploadedFile(part.name[-120:] or "file", part.data, content_type=part.content_type)
        try:
            check_upload(upload)
        except ValidationFailed:
            continue
        files.append(upload)
    return files


def _post(conversation: Conversation, parsed: ParsedMail, *, now: datetime) -> Message:
    message, _created = do_post_message(
        conversation,
        author_kind=AuthorKind.CUSTOMER,
        text=_message_text(parsed),
        now=now,
        attachments=_conversation_files(parsed),
    )
    return message


def _save_mail(
    raw: RawMail,
    parsed: ParsedMail,
    *,
    now: datetime,
    kind: str,
    message: Message | None,
    ticket: Ticket | None,
) -> MailMessage:
    mail = MailMessage.objects.create(
        direction=Direction.INBOUND,
        kind=kind,
        raw=raw,
        message=message,
        conversation=ticket.conversation if ticket is not None else None,
        ticket=ticket,
        msgid=_msgid(parsed, raw)[:255],
        in_reply_to=(parsed.in_reply_to[0] if parsed.in_reply_to else "")[:255],
        references=" ".join(parsed.references)[:20000],
        subject=parsed.subject[:300],
        from_name=parsed.from_name[:200],
        from_address=parsed.from_address[:254],
        to=[list(p) for p in parsed.to[:50]],
        cc=[list(p) for p in parsed.cc[:50]],
        text=parsed.text,
        html=parsed.html_safe,
        quoted=parsed.quoted,
        signature=parsed.signature,
        defects=parsed.defects[:50],
        created_at=now,
    )
    for part in parsed.attachments:
        attachment = MailAttachment(
            mail=mail,
            name=part.name[:255],
            content_type=part.content_type[:100],
            size=part.size,
            content_id=part.content_id[:200],
            inline=part.inline,
        )
        attachment.file.save(part.name or "part.bin", ContentFile(part.data), save=False)
        attachment.save()
    return mail


def _record_automatic(
    raw: RawMail, parsed: ParsedMail, kind: str, ticket: Ticket | None, *, now: datetime
) -> IngestResult:
    """Auto-replies and bounces: kept and shown to agents as a note, never answered."""
    message = None
    conversation = ticket.conversation if ticket is not None else None
    if kind == MailKind.BOUNCE:
        _mark_failing(parsed, raw, now=now)
        if ticket is not None:
            MailMessage.objects.filter(
                ticket=ticket, direction=Direction.OUTBOUND, msgid__in=[*parsed.in_reply_to, *parsed.references]
            ).update(
                delivery_status=DeliveryStatus.FAILED,
                last_error=_("Bounced: %(addresses)s")
                % {"addresses": ", ".join(parsed.classification.bounce_recipients) or parsed.subject[:100]},
            )
    if conversation is not None and conversation.status != ConversationStatus.CLOSED:
        if kind == MailKind.BOUNCE:
            note = _("Mail bounced (%(addresses)s): %(subject)s") % {
                "addresses": ", ".join(parsed.classification.bounce_recipients) or "?",
                "subject": parsed.subject,
            }
        else:
            note = _("Automatic reply received: %(subject)s") % {"subject": parsed.subject}
        message, _created = do_post_message(
            conversation, author_kind=AuthorKind.SYSTEM, text=note[:MESSAGE_CHARS], now=now, is_internal=True
        )
    mail = _save_mail(raw, parsed, now=now, kind=kind, message=message, ticket=ticket)
    customer: Customer | None = conversation.customer if conversation is not None else None
    status = IngestStatus.BOUNCE if kind == MailKind.BOUNCE else IngestStatus.AUTO_REPLY
    return IngestResult(
        status,
        ticket=ticket.pk if ticket is not None else None,
        message=message.pk if message is not None else None,
        customer=customer.pk if customer is not None else None,
        mail=mail.pk,
        reason=parsed.classification.reason,
    )


def _mark_failing(parsed: ParsedMail, raw: RawMail, *, now: datetime) -> None:
    for address in parsed.classification.bounce_recipients[:50]:
        failing, created = FailingAddress.objects.get_or_create(
            address=address.lower()[:254],
            defaults={
                "status": parsed.classification.bounce_status[:20],
                "bounces": 1,
                "first_failed_at": now,
                "last_failed_at": now,
                "last_raw": raw,
            },
        )
        if not created:
            FailingAddress.objects.filter(pk=failing.pk).update(
                bounces=failing.bounces + 1,
                last_failed_at=now,
                last_raw=raw,
                status=parsed.classification.bounce_status[:20] or failing.status,
            )
        record_audit(failing, "mail.address_failing", actor=None, now=now, data={"raw_mail": raw.pk})
