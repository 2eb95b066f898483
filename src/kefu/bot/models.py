"""The FAQ bot's per-channel settings and its session with each conversation it answers."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.bot.choices import BotState, HandoffReason

DEFAULT_THRESHOLD = 0.6


class BotChannelSetting(models.Model):
    """Whether the FAQ bot takes the first turn in a channel's new chats, and how sure it must be."""

    channel = models.OneToOneField(
        "conversations.Channel", on_delete=models.CASCADE, related_name="bot_setting", verbose_name=_("channel")
    )
    enabled = models.BooleanField(_("FAQ bot answers first"), default=False)
    threshold = models.FloatField(
        _("confidence threshold"),
        default=DEFAULT_THRESHOLD,
        help_text=_("Below this confidence the bot hands the chat to a person (0–1)."),
    )
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("FAQ bot channel setting")
        verbose_name_plural = _("FAQ bot channel settings")
        permissions = [("configure_bot", _("Can switch the FAQ bot on or off for a channel"))]

    def __str__(self) -> str:
        return f"{self.channel}: {'on' if self.enabled else 'off'}"


class BotSession(models.Model):
    """The bot's part in one conversation: answering until it hands over to a person."""

    conversation = models.OneToOneField(
        "conversations.Conversation", on_delete=models.CASCADE, related_name="bot_session"
    )
    state = models.CharField(_("state"), max_length=12, choices=BotState.choices, default=BotState.ANSWERING)
    lang = models.CharField(_("language"), max_length=10, default="zh-hans")
    turns = models.PositiveIntegerField(_("answers given"), default=0)
    answered_upto = models.BigIntegerField(default=0, help_text=_("The last customer message the bot handled."))
    intent = models.CharField(_("intent"), max_length=20, blank=True)
    article = models.ForeignKey(
        "knowledge.Article",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("article"),
    )
    confidence = models.FloatField(_("confidence"), default=0.0)
    handoff_reason = models.CharField(_("hand-off reason"), max_length=20, choices=HandoffReason.choices, blank=True)
    handed_over_at = models.DateTimeField(_("handed over at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("FAQ bot session")
        verbose_name_plural = _("FAQ bot sessions")
        indexes = [models.Index(fields=["state"])]

    def __str__(self) -> str:
        return f"{self.conversation_id}: {self.state}"
