"""Event triggers, time triggers and macros: conditions on ticket fields → actions.

Conditions and actions are small JSON lists validated by :mod:`kefu.automation.rules`
(``[{"field": "priority", "op": "eq", "value": "high"}]``, ``[{"type": "add_tag", "value": "VIP"}]``);
every action runs through the tickets' action layer."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.automation.choices import TriggerEvent
from kefu.tickets.choices import TicketStatus

CONDITIONS_HELP = _(
    'A list of {"field", "op", "value"}, all must hold. Fields: status, type, priority, source, team, '
    "assignee, subject, description, tags, customer, customer.vip_tier, customer.tags, stage, sla_state, "
    "conversation.channel, conversation.status, conversation.service_class. Operators: eq, ne, in (a list), "
    'contains, gte, lte, is_set, not_set. Example: [{"field": "type", "op": "eq", "value": "complaint"}]'
)
ACTIONS_HELP = _(
    'A list of {"type", "value"}. Types: assign (user id), set_team (team id), set_priority, set_type, '
    "add_tag, canned_reply (its key), notify (assignee, leader or a user id), create_task (subject), "
    'transition (an event such as close), add_remark. Example: [{"type": "set_priority", "value": "high"}]'
)


def _validate_conditions(value: object) -> None:
    from kefu.automation.rules import RuleError, check_conditions

    try:
        check_conditions(value)
    except RuleError as exc:
        raise ValidationError(str(exc)) from None


def _validate_actions(value: object) -> None:
    from kefu.automation.rules import RuleError, check_actions

    try:
        check_actions(value)
    except RuleError as exc:
        raise ValidationError(str(exc)) from None


class Trigger(models.Model):
    """When ``event`` happens to a ticket meeting every condition, run the actions."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(_("position"), default=100)
    event = models.CharField(_("event"), max_length=30, choices=TriggerEvent.choices)
    conditions = models.JSONField(
        _("conditions"), default=list, blank=True, validators=[_validate_conditions], help_text=CONDITIONS_HELP
    )
    actions = models.JSONField(_("actions"), default=list, validators=[_validate_actions], help_text=ACTIONS_HELP)
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("trigger")
        verbose_name_plural = _("triggers")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class TimeTrigger(models.Model):
    """When a ticket has been in ``status`` for ``hours`` (waiting on the customer since …,
    resolved since …) and meets the conditions, run the actions — once per stay in that status."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    status = models.CharField(_("status"), max_length=10, choices=TicketStatus.choices)
    hours = models.PositiveIntegerField(_("after hours"))
    conditions = models.JSONField(
        _("conditions"), default=list, blank=True, validators=[_validate_conditions], help_text=CONDITIONS_HELP
    )
    actions = models.JSONField(_("actions"), default=list, validators=[_validate_actions], help_text=ACTIONS_HELP)
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("time trigger")
        verbose_name_plural = _("time triggers")
        ordering = ["status", "hours", "id"]

    def __str__(self) -> str:
        return self.name


class TimeTriggerFiring(models.Model):
    """A time trigger fired for a ticket's stay in a status that began at ``since``."""

    trigger = models.ForeignKey(TimeTrigger, on_delete=models.CASCADE, related_name="+")
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    since = models.DateTimeField()
    fired_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["trigger", "ticket", "since"], name="automation_time_firing_once")
        ]

    def __str__(self) -> str:
        return f"{self.trigger_id} {self.ticket_id} {self.since}"


class Macro(models.Model):
    """A one-click bundle of actions an agent applies to a ticket."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    actions = models.JSONField(_("actions"), default=list, validators=[_validate_actions], help_text=ACTIONS_HELP)
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("macro")
        verbose_name_plural = _("macros")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
