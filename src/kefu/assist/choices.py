"""Choices of the assist app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LintRule(models.TextChoices):
    FORBIDDEN_PHRASE = "forbidden_phrase", _("Forbidden phrase")
    COMMANDING = "commanding", _("Commanding tone")
    SHIRKING = "shirking", _("Shirking responsibility")
    CASUAL_PROMISE = "casual_promise", _("Casual promise")
    RUDE = "rude", _("Rude words")
    REFUSING = "refusing", _("Refusing directly")
    ARGUING = "arguing", _("Arguing with the customer")
    BLAMING = "blaming", _("Blaming the customer")
    INDIFFERENT = "indifferent", _("Indifference")


class Severity(models.TextChoices):
    INFO = "info", _("Info")
    WARNING = "warning", _("Warning")
    ERROR = "error", _("Error")


SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


class Emotion(models.TextChoices):
    CALM = "calm", _("Calm")
    UNHAPPY = "unhappy", _("Unhappy")
    ANGRY = "angry", _("Angry")


class Script(models.TextChoices):
    """The writing of a customer message: Simplified or Traditional Chinese, or no Chinese."""

    HANS = "zh-Hans", _("Simplified Chinese")
    HANT = "zh-Hant", _("Traditional Chinese")
    OTHER = "other", _("Other")


class AnalysisPath(models.TextChoices):
    """What decided a message's analysis: the cheap screen (cue words, n-grams) or the full models."""

    SCREEN = "screen", _("Screen")
    MODEL = "model", _("Model")
