"""Writes of quality inspection: inspect a closed conversation (the sweeper), sample for manual
review, record a supervisor's review, appeal a finding and decide the appeal."""

from __future__ import annotations

import random
import time
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from kefu.accounts.models import Team
from kefu.conversations.choices import ConversationStatus
from kefu.conversations.models import Conversation
from kefu.core import clock
from kefu.core.actions import action
from kefu.core.errors import Conflict, PermissionDenied, ValidationFailed
from kefu.core.events import record_audit
from kefu.quality import engine
from kefu.quality.choices import AppealStatus, CheckStatus, InspectionKind
from kefu.quality.models import Check, CustomRule, Inspection, Scorecard
from kefu.quality.rules import RULES

BATCH = 200
DEFAULT_NAME = "标准评分卡"


def default_scorecard(now: datetime | None = None) -> Scorecard:
    card = Scorecard.objects.filter(is_default=True).first()
    if card is None:
        card, _created = Scorecard.objects.get_or_create(
            name=DEFAULT_NAME, defaults={"is_default": True, "updated_at": now or clock.now()}
        )
    return card


def specs_of(card: Scorecard) -> list[engine.RuleSpec]:
    specs = engine.shipped_specs(card.rules)
    specs += [engine.RuleSpec(r.key, r.weight, custom=r) for r in card.custom_rules.filter(enabled=True).order_by("id")]
    return specs


def agent_of(conversation: Conversation) -> Any:
    """Whose work it is: the assignee, else the agent who wrote most of its messages."""
    if conversation.assignee_id:
        return conversation.assignee
    top = (
        conversation.messages.filter(author_kind="agent", author__isnull=False)
        .values("author")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    if top is None:
        return None
    from kefu.accounts.models import User

    return User.objects.filter(pk=top["author"]).first()


def _team_of(conversation: Conversation, agent: Any) -> Team | None:
    if conversation.team_id:
        return conversation.team
    if agent is not None:
        return Team.objects.filter(members=agent).order_by("id").first()
    return None


def do_inspect_conversation(
    conversation: Conversation, *, now: datetime, kind: str = InspectionKind.AUTO, reviewer: Any = None
) -> Inspection:
    card = default_scorecard(now)
    outcome = engine.run(engine.transcript_of(conversation), specs_of(card))
    agent = agent_of(conversation)
    with transaction.atomic():
        inspection = Inspection.objects.create(
            conversation=conversation,
            kind=kind,
            scorecard=card,
            agent=agent,
            team=_team_of(conversation, agent),
            reviewer=reviewer,
            channel=conversation.channel.kind,
            score=outcome.score if kind == InspectionKind.AUTO else None,
            conversation_closed_at=conversation.closed_at,
            created_at=now,
            completed_at=now if kind == InspectionKind.AUTO else None,
        )
        Check.objects.bulk_create(
            [
                Check(
                    inspection=inspection,
                    rule=r.rule,
                    status=r.status,
                    weight=w,
                    detail=r.detail[:300],
                    message_index=r.message_index,
                )
                for r, w in outcome.checks
            ]
        )
    return inspection


def inspect_closed(now: datetime, *, batch: int = BATCH, budget_seconds: float = 5.0) -> int:
    """The sweeper: inspect closed conversations not yet inspected, oldest first, in batches,
    for at most ``budget_seconds`` a call (the emotion analysis is the slow part, and the sweeper
    loop must not starve the SLA timers); the next sweep carries on.  Idempotent: one automatic
    inspection per conversation (a unique constraint), so two sweepers racing on the same
    conversation store it once."""
    done = 0
    started = time.monotonic()
    while True:
        todo = list(
            Conversation.objects.filter(status=ConversationStatus.CLOSED)
            .exclude(quality_inspections__kind=InspectionKind.AUTO)
            .select_related("channel", "assignee", "team")
            .order_by("closed_at", "id")[:batch]
        )
        if not todo:
            return done
        for conversation in todo:
            try:
                with transaction.atomic():
                    do_inspect_conversation(conversation, now=now)
                done += 1
            except IntegrityError:  # another sweeper stored it first
                continue
            if time.monotonic() - started > budget_seconds:
                return done
        if len(todo) < batch:
            return done


@action("quality.review_inspection")
def check_sample(
    *, actor: Any, size: int = 10, agent: Any = None, team: Any = None, seed: int | None = None
) -> list[Inspection]:
    """A supervisor samples inspected conversations for a manual review with the same scorecard."""
    if not 1 <= size <= 100:
        raise ValidationFailed(_("Sample between 1 and 100 conversations."))
    rows = Inspection.objects.filter(kind=InspectionKind.AUTO)
    if agent is not None:
        rows = rows.filter(agent=agent)
    if team is not None:
        rows = rows.filter(team=team)
    reviewed = Inspection.objects.filter(kind=InspectionKind.MANUAL).values("conversation")
    candidates = list(rows.exclude(conversation__in=reviewed).values_list("conversation_id", flat=True)[:5000])
    picked = random.Random(seed).sample(candidates, min(size, len(candidates)))  # noqa: S311 - sampling, not secrets
    now = clock.now()
    made = []
    for conversation in Conversation.objects.filter(pk__in=picked).select_related("channel", "assignee", "team"):
        made.append(do_inspect_conversation(conversation, now=now, kind=InspectionKind.MANUAL, reviewer=actor))
    if made:
        record_audit(made[0], "quality.sampled", actor=actor, now=now, data={"inspections": [i.pk for i in made]})
    return made


@action("quality.review_inspection")
def check_review(
    inspection: Inspection, statuses: dict[str, str], *, actor: Any, notes: dict[str, str] | None = None
) -> Inspection:
    """The supervisor's verdict per rule of a sampled inspection; the score follows."""
    if inspection.kind != InspectionKind.MANUAL:
        raise Conflict(_("Only a sampled conversation is reviewed by hand."))
    checks = list(inspection.checks.all())
    for rule, status in statuses.items():
        if status not in CheckStatus.values:
            raise ValidationFailed(_("A check is pass, fail or n/a."))
        if rule not in {c.rule for c in checks}:
            raise ValidationFailed(_("Unknown rule “%(rule)s”.") % {"rule": rule})
    now = clock.now()
    with transaction.atomic():
        for c in checks:
            if c.rule in statuses:
                c.status = statuses[c.rule]
                if notes and notes.get(c.rule):
                    c.detail = notes[c.rule][:300]
                c.save(update_fields=["status", "detail"])
        inspection.score = _score(checks)
        inspection.reviewer, inspection.completed_at = actor, now
        inspection.save(update_fields=["score", "reviewer", "completed_at"])
        record_audit(inspection, "quality.reviewed", actor=actor, now=now, data={"score": inspection.score})
    return inspection


def _score(checks: list[Check]) -> int:
    from kefu.quality.rules import Result

    return engine.score_of((Result(c.rule, c.status), c.weight) for c in checks)


@action("quality.appeal_finding")
def check_appeal(check: Check, text: str, *, actor: Any) -> Check:
    """The agent disagrees with a failed check of their own inspection."""
    if check.inspection.agent_id != actor.pk:
        raise PermissionDenied(_("Only the agent inspected may appeal."))
    if check.status != CheckStatus.FAIL:
        raise Conflict(_("Only a failed check can be appealed."))
    if check.appeal_status:
        raise Conflict(_("This check was already appealed."))
    clean = str(text or "").strip()
    if not clean:
        raise ValidationFailed(_("Say why you disagree."))
    now = clock.now()
    check.appeal_status, check.appeal_text, check.appealed_at = AppealStatus.PENDING, clean[:2000], now
    check.save(update_fields=["appeal_status", "appeal_text", "appealed_at"])
    record_audit(check.inspection, "quality.appealed", actor=actor, now=now, data={"rule": check.rule})
    return check


@action("quality.review_inspection")
def check_decide_appeal(check: Check, *, actor: Any, accept: bool, note: str = "") -> Check:
    """An accepted appeal turns the check to pass and re-scores the inspection."""
    if check.appeal_status != AppealStatus.PENDING:
        raise Conflict(_("There is no pending appeal on this check."))
    now = clock.now()
    with transaction.atomic():
        check.appeal_status = AppealStatus.ACCEPTED if accept else AppealStatus.REJECTED
        check.decided_by, check.decided_at, check.decision_note = actor, now, str(note or "")[:2000]
        if accept:
            check.status = CheckStatus.PASS
        check.save(update_fields=["appeal_status", "decided_by", "decided_at", "decision_note", "status"])
        inspection = check.inspection
        inspection.score = _score(list(inspection.checks.all()))
        inspection.save(update_fields=["score"])
        record_audit(
            inspection, "quality.appeal_decided", actor=actor, now=now, data={"rule": check.rule, "accept": accept}
        )
    return check


def rule_names(card: Scorecard | None = None) -> dict[str, str]:
    names = {rule.id: str(rule.name) for rule in RULES.values()}
    rows = CustomRule.objects.filter(scorecard=card) if card is not None else CustomRule.objects.all()
    names.update({r.key: r.name for r in rows})
    return names
