from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.conversations.choices import ChannelKind
from kefu.core.choices import Priority, ServiceClass, Stage
from kefu.sla.choices import SlaState
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
    # SLA (kefu.sla): the policy chosen at creation or last re-match, and the deadlines its
    # timers computed — mirrored here for lists, filters and "we will answer by …".
    sla_policy = models.ForeignKey(
        "sla.SlaPolicy",
        verbose_name=_("SLA policy"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sla_state = models.CharField(_("SLA state"), max_length=10, choices=SlaState.choices, blank=True, default="")
    sla_due_at = models.DateTimeField(_("next SLA deadline"), null=True, blank=True)
    sla_warn_at = models.DateTimeField(_("next SLA warning"), null=True, blank=True)
    first_response_due_at = models.DateTimeField(_("first response due"), null=True, blank=True)
    next_response_due_at = models.DateTimeField(_("next response due"), null=True, blank=True)
    resolution_due_at = models.DateTimeField(_("resolution due"), null=True, blank=True)
    first_responded_at = models.DateTimeField(_("first responded at"), null=True, blank=True)
    sla_paused_at = models.DateTimeField(_("SLA paused since"), null=True, blank=True)
    sla_pauses = models.JSONField(_("SLA pauses"), default=list, blank=True)
    appointment_at = models.DateTimeField(_("agreed on-site time"), null=True, blank=True)
    tags = models.CharField(_("tags"), max_length=400, blank=True, default="")
    custom = models.JSONField(_("custom fields"), default=dict, blank=True)
    merged_into = models.ForeignKey(
        "self", verbose_name=_("merged into"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent ticket"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["status", "assignee"]),
            models.Index(fields=["status", "team"]),
            models.Index(fields=["sla_state", "sla_due_at"]),
            models.Index(fields=["sla_state", "sla_warn_at"]),
        ]
        permissions = [
            ("assign_ticket", _("Can assign tickets")),
            ("change_ticket_status", _("Can move tickets through their states")),
            ("cancel_ticket", _("Can cancel tickets")),
            ("merge_tickets", _("Can merge and split tickets")),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"

    @property
    def number(self) -> str:
        return f"#{self.pk}"

    @property
    def stream_key(self) -> str:
        return f"ticket:{self.pk}"

    def sla_status(self, now: datetime) -> str:
        """The SLA state at ``now``: the stored state (none, running, paused, met) refined by the
        deadlines — *at risk* once the nearest warning time passed, *breached* once the nearest
        deadline passed.  Derived from the columns, so the sweeper never has to rewrite tickets."""
        if self.sla_state != SlaState.OK:
            return self.sla_state
        if self.sla_due_at is not None and self.sla_due_at <= now:
            return SlaState.BREACHED
        if self.sla_warn_at is not None and self.sla_warn_at <= now:
            return SlaState.AT_RISK
        return SlaState.OK


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


class TicketLink(models.Model):
    """Two related tickets (the parent/child relation is ``Ticket.parent``)."""

    source = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_in")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("ticket link")
        verbose_name_plural = _("ticket links")
        constraints = [models.UniqueConstraint(fields=["source", "target"], name="ticket_link_unique")]

    def __str__(self) -> str:
        return f"{self.source_id} ↔ {self.target_id}"


class TicketField(models.Model):
    """A custom field of one ticket type (e.g. the serial number of a repair)."""

    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        NUMBER = "number", _("Number")
        DATE = "date", _("Date")
        CHOICE = "choice", _("Choice")

    ticket_type = models.CharField(_("ticket type"), max_length=20, choices=TicketType.choices)
    key = models.SlugField(_("key"), max_length=40)
    label = models.CharField(_("label"), max_length=80)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.TEXT)
    choices = models.CharField(_("choices"), max_length=400, blank=True, help_text=_("One per line (choice fields)."))
    required = models.BooleanField(_("required"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("ticket field")
        verbose_name_plural = _("ticket fields")
        ordering = ["ticket_type", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["ticket_type", "key"], name="ticket_field_unique")]

    def __str__(self) -> str:
        return self.label

    def choice_list(self) -> list[str]:
        return [c.strip() for c in self.choices.splitlines() if c.strip()]


class SavedView(models.Model):
    """A named ticket-list filter (the query string of the list page)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=60)
    query = models.CharField(_("filters"), max_length=1000)
    shared = models.BooleanField(_("shared with everyone"), default=False)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
