"""Agent-assist settings: the forbidden-phrase list of R18 and which lint severities block sending."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.assist.choices import AnalysisPath, Emotion, LintRule, Script, Severity


class ForbiddenPhrase(models.Model):
    """One phrase of the configurable list (R18); matched in Simplified and Traditional alike."""

    phrase = models.CharField(_("phrase"), max_length=100, unique=True)
    rule = models.CharField(_("rule"), max_length=20, choices=LintRule.choices, default=LintRule.FORBIDDEN_PHRASE)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.ERROR)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    suggestion = models.CharField(_("suggested wording"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=20, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("forbidden phrase")
        verbose_name_plural = _("forbidden phrases")
        ordering = ["phrase"]

    def __str__(self) -> str:
        return self.phrase


def default_block() -> list[str]:
    return [Severity.ERROR.value]


class AssistSettings(models.Model):
    """The one row of assist settings (``pk=1``)."""

    block_severities = models.JSONField(
        _("severities that block sending"),
        default=default_block,
        help_text=_('A list of "info", "warning", "error": an agent cannot send a reply with such a violation.'),
    )
    raise_priority = models.BooleanField(
        _("raise the priority of conversations with an unhappy or angry customer"), default=True
    )
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("assist settings")
        verbose_name_plural = _("assist settings")
        permissions = [("use_assist", _("Can use reply lint, emotion analysis and the FAQ bot's answers"))]

    def __str__(self) -> str:
        return str(_("Assist settings"))


class MessageEmotion(models.Model):
    """The analysis of one public customer message, made once after it is stored
    (:func:`kefu.assist.actions.drain_pending`); everything else reads this row."""

    message = models.OneToOneField(
        "conversations.Message", on_delete=models.CASCADE, related_name="emotion", verbose_name=_("message")
    )
    conversation = models.ForeignKey(
        "conversations.Conversation", on_delete=models.CASCADE, related_name="+", verbose_name=_("conversation")
    )
    emotion = models.CharField(_("emotion"), max_length=10, choices=Emotion.choices)
    score = models.FloatField(_("score"), default=0.0)
    urgent = models.BooleanField(_("urgent"), default=False)
    cues = models.JSONField(_("cues"), default=list, blank=True)
    intent = models.CharField(_("intent"), max_length=20, blank=True)
    script = models.CharField(_("script"), max_length=10, choices=Script.choices, default=Script.HANS)
    path = models.CharField(_("decided by"), max_length=10, choices=AnalysisPath.choices, default=AnalysisPath.MODEL)
    model_version = models.CharField(_("model version"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("analysed at"))

    class Meta:
        verbose_name = _("message emotion")
        verbose_name_plural = _("message emotions")
        indexes = [models.Index(fields=["conversation", "-message"])]

    def __str__(self) -> str:
        return f"{self.message_id}: {self.emotion}"
