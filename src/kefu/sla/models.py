"""SLA policies, business calendars and the timers the sweeper fires.

Deadlines are data (ARCHITECTURE rule 7): each running target of a ticket is one
:class:`SlaTimer` row with ``warn_at`` / ``due_at`` computed by :mod:`kefu.sla.duemath`;
the ticket mirrors them in ``first_response_due_at`` … for lists and filters.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kefu.conversations.choices import ChannelKind
from kefu.core.choices import Priority
from kefu.customers.choices import VipTier
from kefu.sla.choices import AppliesTo, Metric, TargetKind
from kefu.tickets.choices import TicketType


def default_hours() -> dict[str, list[list[int]]]:
    day = [[9 * 60, 12 * 60], [13 * 60, 18 * 60]]
    return {str(weekday): (day if weekday < 5 else []) for weekday in range(7)}


class BusinessCalendar(models.Model):
    """When SLA clocks run: always, or working hours per weekday on working days."""

    name = models.SlugField(_("name"), max_length=40, unique=True)
    label = models.CharField(_("label"), max_length=80, blank=True)
    always_open = models.BooleanField(_("open 24×7"), default=False)
    timezone = models.CharField(_("time zone"), max_length=40, default="Asia/Shanghai")
    hours = models.JSONField(
        _("working hours"),
        default=default_hours,
        help_text=_('Per weekday (0 = Monday) a list of [start, end] minutes after midnight, e.g. {"0": [[540, 720]]}'),
    )
    china_holidays = models.BooleanField(
        _("China's public holidays and adjusted working days"),
        default=True,
        help_text=_("From chinese-calendar's bundled data; adjusted working days use Monday's hours."),
    )
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.label or self.name


class CalendarDay(models.Model):
    """A day an administrator closes (company holiday) or opens (extra working day)."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("date"))
    is_working_day = models.BooleanField(_("working day"), default=False)
    note = models.CharField(_("note"), max_length=80, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="sla_calendar_day_unique")]

    def __str__(self) -> str:
        return f"{self.date} {self.note}"


class SlaPolicy(models.Model):
    """Targets that apply to tickets matching the conditions; the first matching policy
    (lowest ``position``) wins and is recorded on the ticket."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    position = models.PositiveIntegerField(_("position"), default=100)
    is_active = models.BooleanField(_("active"), default=True)
    applies_to = models.CharField(_("applies to"), max_length=10, choices=AppliesTo.choices, default=AppliesTo.TICKETS)
    # Conditions: an empty one matches anything.
    channel = models.CharField(_("channel"), max_length=20, choices=ChannelKind.choices, blank=True)
    ticket_type = models.CharField(_("ticket type"), max_length=20, choices=TicketType.choices, blank=True)
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices, blank=True)
    min_vip_tier = models.PositiveSmallIntegerField(
        _("at least VIP tier"), choices=VipTier.choices, null=True, blank=True
    )
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), null=True, blank=True, on_delete=models.CASCADE
    )
    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    calendar = models.ForeignKey(BusinessCalendar, verbose_name=_("calendar"), on_delete=models.PROTECT)
    warn_percent = models.PositiveSmallIntegerField(
        # xgettext:no-python-format
        _("warn at % of the target"),
        default=80,
        help_text=_("A warning fires when this share of a target has passed."),
    )
    # Breach actions.
    notify_on_breach = models.BooleanField(_("notify the assignee and the supervisor"), default=True)
    raise_priority_on_breach = models.BooleanField(_("raise the priority"), default=False)
    reassign_team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("reassign to team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    escalate_on_breach = models.BooleanField(_("escalate to a leader"), default=False)
    escalate_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leader to escalate to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("When the ticket's team has no leader."),
    )
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["position", "id"]
        permissions = [("preview_sla", _("Can preview SLA due times"))]

    def __str__(self) -> str:
        return self.name


class SlaTarget(models.Model):
    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="targets")
    metric = models.CharField(_("metric"), max_length=20, choices=Metric.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=TargetKind.choices, default=TargetKind.DURATION)
    seconds = models.PositiveIntegerField(_("target (seconds)"), default=0)
    business = models.BooleanField(_("business time"), default=False)

    class Meta:
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
        constraints = [models.UniqueConstraint(fields=["policy", "metric"], name="sla_target_unique")]

    def __str__(self) -> str:
        return f"{self.policy}: {self.metric}"


class SlaTimer(models.Model):
    """One running target of one ticket; the sweeper fires ``warn_at`` and ``due_at`` once each."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="sla_timers")
    metric = models.CharField(_("metric"), max_length=20, choices=Metric.choices)
    policy = models.ForeignKey(SlaPolicy, null=True, on_delete=models.SET_NULL, related_name="+")
    calendar = models.CharField(max_length=40)
    business = models.BooleanField(default=False)
    target_seconds = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField()
    warn_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    met_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("SLA timer")
        verbose_name_plural = _("SLA timers")
        constraints = [models.UniqueConstraint(fields=["ticket", "metric"], name="sla_timer_unique")]
        indexes = [
            models.Index(
                fields=["warn_at"], name="sla_timer_warn_due", condition=Q(warned_at__isnull=True, met_at__isnull=True)
            ),
            models.Index(
                fields=["due_at"],
                name="sla_timer_breach_due",
                condition=Q(breached_at__isnull=True, met_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.metric} {self.due_at}"


class Deadline(models.Model):
    """A named deadline of anything that is not a ticket (an after-sales case, a complaint, a
    service order): ``warn_at`` and ``due_at`` fire once each through the SLA sweeper, which calls
    the handler registered for the subject's kind (:mod:`kefu.sla.deadlines`)."""

    kind = models.CharField(_("kind"), max_length=60)  # the subject's model label, e.g. "cases.case"
    object_id = models.CharField(max_length=64)
    name = models.CharField(_("deadline"), max_length=40)
    due_at = models.DateTimeField(_("due at"))
    warn_at = models.DateTimeField(_("warn at"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.CharField(_("text"), max_length=200, blank=True)
    url = models.CharField(_("link"), max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)
    set_at = models.DateTimeField()
    warned_at = models.DateTimeField(null=True, blank=True)
    fired_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        constraints = [models.UniqueConstraint(fields=["kind", "object_id", "name"], name="sla_deadline_unique")]
        indexes = [
            models.Index(
                fields=["warn_at"],
                name="sla_deadline_warn_due",
                condition=Q(warned_at__isnull=True, fired_at__isnull=True, stopped_at__isnull=True),
            ),
            models.Index(
                fields=["due_at"],
                name="sla_deadline_due",
                condition=Q(fired_at__isnull=True, stopped_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}#{self.object_id} {self.name} {self.due_at}"
