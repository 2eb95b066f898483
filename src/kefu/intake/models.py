"""Intake data: raw mail (stored before anything reads it), email metadata beside
``conversations.Message``, IMAP mailboxes, failing addresses, phone calls and callback tasks,
platform deliveries and webhook idempotency keys."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kefu.core.secrets import EncryptedTextField
from kefu.intake.choices import (
    CallDirection,
    CallOutcome,
    ContactMedium,
    DeliveryStatus,
    Direction,
    IngestStatus,
    MailKind,
    MailSource,
    TaskStatus,
)


class RawMail(models.Model):
    """The mail exactly as received (or as sent), written before parsing so nothing is lost."""

    file = models.FileField(_("raw file"), upload_to="mail/raw/%Y/%m/%d/", max_length=200)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveBigIntegerField(_("size"))
    source = models.CharField(_("source"), max_length=10, choices=MailSource.choices)
    mailbox = models.CharField(_("mailbox"), max_length=120, blank=True)
    envelope_from = models.CharField(_("envelope sender"), max_length=300, blank=True)
    envelope_to = models.JSONField(_("envelope recipients"), default=list, blank=True)
    received_at = models.DateTimeField(_("received at"))
    status = models.CharField(
        _("status"), max_length=12, choices=IngestStatus.choices, default=IngestStatus.PENDING, db_index=True
    )
    error = models.TextField(_("error"), blank=True)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("raw mail")
        verbose_name_plural = _("raw mails")
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.received_at:%Y-%m-%d %H:%M} ({self.status})"


class MailMessage(models.Model):
    """The email side of a conversation message: threading headers, full text, HTML, quote."""

    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    kind = models.CharField(_("kind"), max_length=12, choices=MailKind.choices, default=MailKind.NORMAL)
    raw = models.ForeignKey(RawMail, null=True, blank=True, on_delete=models.SET_NULL, related_name="mails")
    message = models.OneToOneField(
        "conversations.Message", null=True, blank=True, on_delete=models.CASCADE, related_name="mail"
    )
    conversation = models.ForeignKey(
        "conversations.Conversation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ticket = models.ForeignKey("tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    msgid = models.CharField(_("Message-ID"), max_length=255, db_index=True)
    in_reply_to = models.CharField(_("In-Reply-To"), max_length=255, blank=True)
    references = models.TextField(_("References"), blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    from_name = models.CharField(_("sender name"), max_length=200, blank=True)
    from_address = models.CharField(_("sender address"), max_length=254, blank=True)
    to = models.JSONField(_("to"), default=list, blank=True)
    cc = models.JSONField(_("cc"), default=list, blank=True)
    text = models.TextField(_("full text"), blank=True)
    html = models.TextField(_("sanitised HTML"), blank=True)
    quoted = models.TextField(_("quoted history"), blank=True)
    signature = models.TextField(_("signature"), blank=True)
    defects = models.JSONField(_("parsing notes"), default=list, blank=True)
    delivery_status = models.CharField(
        _("delivery status"), max_length=10, choices=DeliveryStatus.choices, blank=True, default=""
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("email")
        verbose_name_plural = _("emails")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["msgid"],
                condition=Q(direction="in") & ~Q(msgid=""),
                name="intake_inbound_message_id_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} <{self.msgid}>"

    @property
    def reference_list(self) -> list[str]:
        return self.references.split()


def _attachment_path(instance: MailAttachment, filename: str) -> str:
    return f"mail/parts/{instance.mail_id}/{filename}"


class MailAttachment(models.Model):
    """Every attachment and inline part of a mail, kept whatever its type (served for download only)."""

    mail = models.ForeignKey(MailMessage, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(_("name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    content_id = models.CharField(max_length=200, blank=True)
    inline = models.BooleanField(default=False)
    file = models.FileField(upload_to=_attachment_path, max_length=300)

    class Meta:
        verbose_name = _("email attachment")
        verbose_name_plural = _("email attachments")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class FailingAddress(models.Model):
    """An address a bounce reported as failing; agents see it on the ticket."""

    address = models.CharField(_("address"), max_length=254, unique=True)
    status = models.CharField(_("status code"), max_length=20, blank=True)
    bounces = models.PositiveIntegerField(_("bounces"), default=0)
    first_failed_at = models.DateTimeField(_("first failed at"))
    last_failed_at = models.DateTimeField(_("last failed at"))
    last_raw = models.ForeignKey(RawMail, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("failing address")
        verbose_name_plural = _("failing addresses")

    def __str__(self) -> str:
        return self.address


class Mailbox(models.Model):
    """An IMAP mailbox polled for new mail (UID-based: survives restarts without duplicates)."""

    name = models.CharField(_("name"), max_length=60)
    channel = models.ForeignKey(
        "conversations.Channel", verbose_name=_("channel"), on_delete=models.CASCADE, related_name="+"
    )
    host = models.CharField(_("host"), max_length=200)
    port = models.PositiveIntegerField(_("port"), default=993)
    use_ssl = models.BooleanField(_("TLS"), default=True)
    username = models.CharField(_("user name"), max_length=200)
    # Encrypted at rest (kefu.core.secrets); the admin form never shows it back.
    password = EncryptedTextField(_("password"))
    folder = models.CharField(_("folder"), max_length=200, default="INBOX")
    uidvalidity = models.BigIntegerField(null=True, blank=True)
    last_uid = models.BigIntegerField(default=0)
    is_active = models.BooleanField(_("active"), default=True)
    last_polled_at = models.DateTimeField(_("last polled at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("IMAP mailbox")
        verbose_name_plural = _("IMAP mailboxes")

    def __str__(self) -> str:
        return f"{self.name} ({self.username}@{self.host})"


class CallRecord(models.Model):
    """A phone call (or a face-to-face contact logged by hand)."""

    medium = models.CharField(_("medium"), max_length=12, choices=ContactMedium.choices, default=ContactMedium.PHONE)
    channel = models.ForeignKey(
        "conversations.Channel", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    external_id = models.CharField(_("call id"), max_length=120, blank=True)
    direction = models.CharField(_("direction"), max_length=3, choices=CallDirection.choices)
    number = models.CharField(_("number"), max_length=40, blank=True)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), null=True, blank=True, on_delete=models.SET_NULL
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name=_("ticket"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=12, choices=CallOutcome.choices, default=CallOutcome.RINGING)
    started_at = models.DateTimeField(_("started at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("call record")
        verbose_name_plural = _("call records")
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"], condition=~Q(external_id=""), name="intake_call_external_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.number} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def stream_key(self) -> str:
        return f"call:{self.pk}"

    @property
    def duration_seconds(self) -> int | None:
        if self.answered_at and self.ended_at:
            return int((self.ended_at - self.answered_at).total_seconds())
        return None

    @property
    def duration_text(self) -> str:
        """``m:ss`` (or ``h:mm:ss``) of the conversation, empty when it was not answered."""
        seconds = self.duration_seconds
        if seconds is None:
            return ""
        hours, rest = divmod(max(0, seconds), 3600)
        minutes, secs = divmod(rest, 60)
        return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class CallbackTask(models.Model):
    """Call this number back: created for the team by a missed call."""

    call = models.OneToOneField(CallRecord, on_delete=models.CASCADE, related_name="callback")
    team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("status"), max_length=6, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    due_at = models.DateTimeField(_("call back by"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("callback task")
        verbose_name_plural = _("callback tasks")
        ordering = ["status", "due_at"]

    def __str__(self) -> str:
        return f"{self.call.number} ({self.get_status_display()})"


class WebhookReceipt(models.Model):
    """An idempotency key seen on a signed webhook; a repeat returns the first result."""

    channel = models.ForeignKey("conversations.Channel", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=120)
    result = models.JSONField(default=dict)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("webhook receipt")
        verbose_name_plural = _("webhook receipts")
        constraints = [models.UniqueConstraint(fields=["channel", "key"], name="intake_webhook_key_unique")]

    def __str__(self) -> str:
        return self.key


class PlatformDelivery(models.Model):
    """An agent's message pushed to a platform channel's callback URL."""

    message = models.OneToOneField("conversations.Message", on_delete=models.CASCADE, related_name="platform_delivery")
    status = models.CharField(_("delivery status"), max_length=10, choices=DeliveryStatus.choices)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("platform delivery")
        verbose_name_plural = _("platform deliveries")

    def __str__(self) -> str:
        return f"{self.message_id} {self.status}"
