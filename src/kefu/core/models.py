"""Cross-cutting tables: the audit trail and the numbered real-time event streams."""

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
