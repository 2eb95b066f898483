from django.db import models
from django.utils.translation import gettext_lazy as _


class CheckStatus(models.TextChoices):
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")
    NA = "n/a", _("Not applicable")


class InspectionKind(models.TextChoices):
    AUTO = "auto", _("Automatic")
    MANUAL = "manual", _("Manual review")


class CustomRuleKind(models.TextChoices):
    KEYWORD = "keyword", _("Keywords (one a line)")
    REGEX = "regex", _("Regular expression")


class CustomRuleMode(models.TextChoices):
    MUST_NOT = "must_not", _("Agents must not write it")
    MUST = "must", _("Agents must write it at least once")


class AppealStatus(models.TextChoices):
    NONE = "", _("No appeal")
    PENDING = "pending", _("Appeal pending")
    ACCEPTED = "accepted", _("Appeal accepted")
    REJECTED = "rejected", _("Appeal rejected")
