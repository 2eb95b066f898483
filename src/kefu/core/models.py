"""Cross-cutting tables: the audit trail, the numbered real-time event streams and the staff's
in-app notifications."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One row per state change or notable write, for any model (the audit trail)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.CharField(max_length=64)
    subject = GenericForeignKey("content_type", "object_id")
    verb = models.CharField(_("event"), max_length=80)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    from_state = models.CharField(max_length=40, blank=True)
    to_state = models.CharField(max_length=40, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id", "created_at"])]

    def __str__(self) -> str:
        return f"{self.verb} {self.from_state}->{self.to_state}"


class Stream(models.Model):
    """A numbered event stream (e.g. ``conversation:42``): ``last_id`` only grows."""

    key = models.CharField(max_length=100, unique=True)
    last_id = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}@{self.last_id}"


class StreamEvent(models.Model):
    """An event of the real-time contract, kept so a reconnecting client can catch up."""

    stream_key = models.CharField(max_length=100)
    seq = models.PositiveBigIntegerField()
    type = models.CharField(max_length=40)
    op = models.CharField(max_length=40)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["stream_key", "seq"], name="stream_event_unique_seq")]
        ordering = ["stream_key", "seq"]

    def __str__(self) -> str:
        return f"{self.stream_key}#{self.seq} {self.type}.{self.op}"

    def as_event(self) -> dict[str, object]:
        return {
            "type": self.type,
            "op": self.op,
            "id": self.seq,
            "stream": self.stream_key,
            "at": self.created_at.isoformat(),
            **self.payload,
        }


class Notification(models.Model):
    """An in-app notification for a staff member: an SLA warning or breach, an @mention, an
    automation notice, a deadline of a case or complaint.  Written only by
    :func:`kefu.core.notifications.do_notify_staff` (and the mention of a ticket remark).
    ``ticket`` names the tickets app's model by label, not by import: core imports no domain app
    (docs/adr/0010-import-contract.md)."""

    class Kind(models.TextChoices):
        SLA_WARNING = "sla_warning", _("SLA warning")
        SLA_BREACH = "sla_breach", _("SLA breach")
        MENTION = "mention", _("Mention")
        AUTOMATION = "automation", _("Automation")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    ticket = models.ForeignKey("tickets.Ticket", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    text = models.CharField(_("text"), max_length=300)
    # For notifications about other things than tickets; db_default serves the sweeper's INSERT … SELECT.
    url = models.CharField(_("link"), max_length=200, blank=True, default="", db_default="")
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "tickets_notification"  # the table it was born with (tickets); moved without copying a row
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="tickets_not_user_id_e3d97d_idx")]

    def __str__(self) -> str:
        return self.text
