"""Quality inspection (R5, R6, R17–R19): scorecards, administrators' own rules, inspections of
conversations (automatic and manual) and their checks, which agents may appeal."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.quality.choices import AppealStatus, CheckStatus, CustomRuleKind, CustomRuleMode, InspectionKind


class Scorecard(models.Model):
    """Which shipped rules count, with which weight; ``rules`` is ``{rule_id: {"enabled", "weight"}}``
    (a rule missing from it uses its shipped default)."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    is_default = models.BooleanField(_("used for automatic inspection"), default=False)
    rules = models.JSONField(_("rules"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        ordering = ["-is_default", "name"]

    def __str__(self) -> str:
        return self.name


class CustomRule(models.Model):
    """An administrator's own rule: keywords or a regular expression in the agents' messages."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="custom_rules")
    key = models.SlugField(_("id"), max_length=40)
    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=10, choices=CustomRuleKind.choices, default=CustomRuleKind.KEYWORD)
    pattern = models.TextField(_("keywords or expression"))
    mode = models.CharField(_("mode"), max_length=10, choices=CustomRuleMode.choices, default=CustomRuleMode.MUST_NOT)
    weight = models.PositiveSmallIntegerField(_("weight"), default=10)
    enabled = models.BooleanField(_("on"), default=True)

    class Meta:
        verbose_name = _("custom quality rule")
        verbose_name_plural = _("custom quality rules")
        constraints = [models.UniqueConstraint(fields=["scorecard", "key"], name="quality_rule_key_unique")]

    def __str__(self) -> str:
        return self.name


class Inspection(models.Model):
    conversation = models.ForeignKey(
        "conversations.Conversation", on_delete=models.CASCADE, related_name="quality_inspections"
    )
    kind = models.CharField(_("kind"), max_length=6, choices=InspectionKind.choices, default=InspectionKind.AUTO)
    scorecard = models.ForeignKey(Scorecard, on_delete=models.PROTECT, related_name="+")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="quality_inspections",
    )
    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=20, blank=True)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)  # None: a sampled review not done
    conversation_closed_at = models.DateTimeField(null=True, blank=True)
    # Customer messages the emotion rule could not judge (no stored analysis, the screen unsure):
    # the sweeper inspects again once their analysis is stored.
    analysis_pending = models.PositiveSmallIntegerField(_("analysis pending"), default=0)
    created_at = models.DateTimeField(_("inspected at"))
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["agent", "created_at"]), models.Index(fields=["team", "created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation"], condition=models.Q(kind="auto"), name="quality_one_auto_inspection"
            )
        ]
        permissions = [
            ("review_inspection", _("Can sample and review conversations and decide appeals")),
            ("appeal_finding", _("Can appeal a finding of their own inspection")),
        ]

    def __str__(self) -> str:
        return f"#{self.conversation_id} {self.score}"


class Check(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="checks")
    rule = models.CharField(_("rule"), max_length=40)
    status = models.CharField(_("status"), max_length=4, choices=CheckStatus.choices)
    weight = models.PositiveSmallIntegerField(default=0)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    message_index = models.IntegerField(null=True, blank=True)
    appeal_status = models.CharField(max_length=10, choices=AppealStatus.choices, blank=True, default="")
    appeal_text = models.TextField(blank=True)
    appealed_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("check")
        verbose_name_plural = _("checks")
        ordering = ["id"]
        indexes = [models.Index(fields=["rule", "status"])]

    def __str__(self) -> str:
        return f"{self.rule} {self.status}"
