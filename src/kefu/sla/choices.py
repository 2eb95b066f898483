from django.db import models
from django.utils.translation import gettext_lazy as _


class Metric(models.TextChoices):
    """What an SLA target measures."""

    FIRST_RESPONSE = "first_response", _("First response")
    NEXT_RESPONSE = "next_response", _("Next response")
    RESOLUTION = "resolution", _("Resolution")
    ON_SITE = "on_site", _("On-site arrival")


class TargetKind(models.TextChoices):
    DURATION = "duration", _("Within a duration")
    SAME_DAY = "same_day", _("The same working day")
    AGREED = "agreed", _("At the time agreed with the customer")


class SlaState(models.TextChoices):
    NONE = "", _("No SLA")
    OK = "ok", _("On track")
    AT_RISK = "at_risk", _("At risk")
    BREACHED = "breached", _("Breached")
    PAUSED = "paused", _("Paused")
    MET = "met", _("All targets met")


class BreachAction(models.TextChoices):
    NOTIFY = "notify", _("Notify the assignee and the supervisor")
    RAISE_PRIORITY = "raise_priority", _("Raise the priority")
    REASSIGN = "reassign", _("Reassign to a team")
    ESCALATE = "escalate", _("Escalate to a leader")


class AppliesTo(models.TextChoices):
    TICKETS = "tickets", _("Tickets")
    CHATS = "chats", _("Live chats")
