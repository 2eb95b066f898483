"""An endpoint (where to POST, the signing secret, which events) and its deliveries (the log)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.core.secrets import EncryptedTextField
from kefu.webhooks.choices import DeliveryStatus


class Endpoint(models.Model):
    name = models.CharField(_("name"), max_length=80)
    url = models.URLField(_("URL"), max_length=500)
    # Encrypted at rest like the IMAP passwords (kefu.core.secrets, ADR 0008).
    secret = EncryptedTextField(_("signing secret"))
    event_types = models.JSONField(_("event types"), default=list)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.url})"


class Delivery(models.Model):
    """One event for one endpoint: sent by the worker, retried with backoff until delivered or failed."""

    endpoint = models.ForeignKey(
        Endpoint, verbose_name=_("endpoint"), on_delete=models.CASCADE, related_name="deliveries"
    )
    event_type = models.CharField(_("event"), max_length=40)
    # "stream#seq" of the stream event (conversation:42#18): one delivery per endpoint and event.
    event_key = models.CharField(_("event id"), max_length=120)
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"), max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    status_code = models.PositiveIntegerField(_("status code"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    response_excerpt = models.TextField(_("response excerpt"), blank=True)
    log = models.JSONField(_("attempt log"), default=list)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))
    replay_of = models.ForeignKey(
        "self", verbose_name=_("replay of"), null=True, blank=True, on_delete=models.SET_NULL, related_name="replays"
    )

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        permissions = [("replay_delivery", "Can replay a webhook delivery")]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhooks_due")]
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event_key"], condition=models.Q(replay_of=None), name="webhooks_one_per_event"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_key} → {self.endpoint_id}"
