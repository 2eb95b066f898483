"""Choices of the assist app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LintRule(models.TextChoices):
    FORBIDDEN_PHRASE = "forbidden_phrase", _("Forbidden phrase")
    COMMANDING = "commanding", _("Commanding tone")
    SHIRKING = "shirking", _("Shirking responsibility")
    CASUAL_PROMISE = "casual_promise", _("Casual promise")
    RUDE = "rude", _("Rude words")


class Severity(models.TextChoices):
    INFO = "info", _("Info")
    WARNING = "warning", _("Warning")
    ERROR = "error", _("Error")


SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


class Emotion(models.TextChoices):
    CALM = "calm", _("Calm")
    UNHAPPY = "unhappy", _("Unhappy")
    ANGRY = "angry", _("Angry")
