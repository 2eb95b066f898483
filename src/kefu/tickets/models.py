from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.conversations.choices import ChannelKind
from kefu.core.choices import Priority, ServiceClass, Stage
from kefu.tickets.choices import TicketStatus, TicketType


class Ticket(models.Model):
    """A work order (工单)."""

    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    type = models.CharField(_("type"), max_length=20, choices=TicketType.choices, default=TicketType.CONSULTATION)
    service_class = models.CharField(_("service class"), max_length=20, choices=ServiceClass.choices, blank=True)
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=TicketStatus.choices, default=TicketStatus.NEW)
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    source = models.CharField(_("source"), max_length=20, choices=ChannelKind.choices, blank=True)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="tickets"
    )
    conversation = models.ForeignKey(
        "conversations.Conversation",
        verbose_name=_("conversation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    shop = models.ForeignKey("shops.Shop", verbose_name=_("shop"), null=True, blank=True, on_delete=models.SET_NULL)
    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["status", "assignee"]), models.Index(fields=["status", "team"])]
        permissions = [
            ("assign_ticket", _("Can assign tickets")),
            ("change_ticket_status", _("Can move tickets through their states")),
            ("cancel_ticket", _("Can cancel tickets")),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"

    @property
    def number(self) -> str:
        return f"#{self.pk}"

    @property
    def stream_key(self) -> str:
        return f"ticket:{self.pk}"


class TicketRemark(models.Model):
    """An internal remark (备注) on a work order, never shown to the customer."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="remarks")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(_("remark"))
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("ticket remark")
        verbose_name_plural = _("ticket remarks")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:40]
