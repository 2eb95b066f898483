from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The roles of R42, each a permission group."""

    RECEPTION = "reception", _("Reception agent")
    AFTERSALES = "aftersales", _("After-sales agent")
    FINANCE = "finance", _("Refund specialist / finance")
    SALES = "sales", _("Salesperson")
    TECHNICIAN = "technician", _("Technician")
    SUPERVISOR = "supervisor", _("Supervisor")
    ADMIN = "admin", _("Administrator")


class Presence(models.TextChoices):
    ONLINE = "online", _("Online")
    AWAY = "away", _("Away")
    OFFLINE = "offline", _("Offline")


class TeamKind(models.TextChoices):
    TEAM = "team", _("Team")
    SKILL = "skill", _("Skill group")
