"""Writes of quality inspection: inspect a closed conversation (the sweeper), sample for manual
review, record a supervisor's review, appeal a finding and decide the appeal."""

from __future__ import annotations

import random
import time
from collections import Counter
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _

from kefu.accounts.models import TeamMembership
from kefu.conversations.choices import ConversationStatus
from kefu.conversations.models import Conversation
from kefu.core import clock
from kefu.core.actions import action
from kefu.core.errors import Conflict, PermissionDenied, ValidationFailed
from kefu.core.events import record_audit
from kefu.quality import engine
from kefu.quality.choices import AppealStatus, CheckStatus, InspectionKind
from kefu.quality.models import Check, CustomRule, Inspection, Scorecard
from kefu.quality.rules import RULES, Run

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
    """Whose work it is: the assignee, else the agent who wrote most of its public messages."""
    from kefu.accounts.models import User

    agent_id = agent_ids([conversation])[conversation.pk]
    return User.objects.filter(pk=agent_id).first() if agent_id is not None else None


def agent_ids(conversations: list[Conversation]) -> dict[int, int | None]:
    """:func:`agent_of`'s user id for many conversations, without a query where
    :func:`kefu.quality.engine.inspectable` loaded the public messages."""
    out: dict[int, int | None] = {}
    for c in conversations:
        if c.assignee_id:
            out[c.pk] = c.assignee_id
            continue
        rows = getattr(c, "public_messages", None)
        if rows is None:
            rows = engine.rows_of([c.pk])[c.pk]
        counts = Counter(r[engine.AUTHOR_ID] for r in rows if r[engine.KIND] == "agent" and r[engine.AUTHOR_ID])
        out[c.pk] = counts.most_common(1)[0][0] if counts else None
    return out


def team_ids(conversations: list[Conversation], agents: dict[int, int | None]) -> dict[int, int | None]:
    """The conversation's team, else its agent's first team: at most one query for many."""
    need = {a for c in conversations if not c.team_id and (a := agents.get(c.pk)) is not None}
    first: dict[int, int] = {}
    if need:
        for user_id, team_id in (
            TeamMembership.objects.filter(user_id__in=need).order_by("team_id").values_list("user_id", "team_id")
        ):
            first.setdefault(user_id, team_id)
    out: dict[int, int | None] = {}
    for c in conversations:
        agent = agents.get(c.pk)
        out[c.pk] = c.team_id if c.team_id else (first.get(agent) if agent is not None else None)
    return out


def _checks(inspection: Inspection, outcome: engine.Outcome) -> list[Check]:
    return [
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


def do_inspect_many(
    conversations: list[Conversation],
    *,
    now: datetime,
    kind: str = InspectionKind.AUTO,
    reviewer: Any = None,
    card: Scorecard | None = None,
    run: Run | None = None,
) -> list[Inspection]:
    """Inspect a batch of conversations loaded with :func:`kefu.quality.engine.inspectable` and store
    the inspections and their checks: a fixed number of queries for the whole batch.  The rules read
    each customer message's stored analysis; none of them runs the emotion models."""
    if not conversations:
        return []
    card = card or default_scorecard(now)
    specs = specs_of(card)
    run = run or Run()
    outcomes = [engine.run(engine.transcript_of(c, run), specs) for c in conversations]
    agents = agent_ids(conversations)
    teams = team_ids(conversations, agents)
    inspections = [
        Inspection(
            conversation=c,
            kind=kind,
            scorecard=card,
            agent_id=agents[c.pk],
            team_id=teams[c.pk],
            reviewer=reviewer,
            channel=c.channel.kind,
            score=outcome.score if kind == InspectionKind.AUTO else None,
            conversation_closed_at=c.closed_at,
            analysis_pending=min(outcome.analysis_pending, 32767),
            created_at=now,
            completed_at=now if kind == InspectionKind.AUTO else None,
        )
        for c, outcome in zip(conversations, outcomes, strict=True)
    ]
    with transaction.atomic():
        Inspection.objects.bulk_create(inspections)
        Check.objects.bulk_create(
            [c for i, o in zip(inspections, outcomes, strict=True) for c in _checks(i, o)], batch_size=2000
        )
    return inspections


def do_inspect_conversation(
    conversation: Conversation, *, now: datetime, kind: str = InspectionKind.AUTO, reviewer: Any = None
) -> Inspection:
    if not hasattr(conversation, "public_messages"):
        (conversation,) = engine.inspectable(Conversation.objects.filter(pk=conversation.pk))
    (inspection,) = do_inspect_many([conversation], now=now, kind=kind, reviewer=reviewer)
    return inspection


def _not_inspected() -> QuerySet[Conversation]:
    return (
        Conversation.objects.filter(status=ConversationStatus.CLOSED)
        .exclude(quality_inspections__kind=InspectionKind.AUTO)
        .order_by("closed_at", "id")
    )


def inspect_closed(now: datetime, *, batch: int = BATCH, budget_seconds: float = 5.0) -> int:
    """The sweeper: inspect closed conversations not yet inspected, oldest first, ``batch`` at a time
    (each batch a fixed number of queries), for at most ``budget_seconds`` a call so the sweeper loop
    never starves the SLA timers; the next sweep carries on.  Then inspect again the automatic
    inspections whose analysis was pending and is now stored.  Idempotent: one automatic inspection
    per conversation (a unique constraint), so two sweepers racing store it once."""
    done = 0
    started = time.monotonic()
    card = default_scorecard(now)
    run = Run()
    while True:
        todo = engine.inspectable(_not_inspected()[:batch])
        if not todo:
            break
        try:
            do_inspect_many(todo, now=now, card=card, run=run)
            done += len(todo)
        except IntegrityError:  # another sweeper stored one of them first: one by one from here
            for conversation in todo:
                try:
                    with transaction.atomic():
                        do_inspect_many([conversation], now=now, card=card, run=run)
                    done += 1
                except IntegrityError:
                    continue
        if time.monotonic() - started > budget_seconds:
            return done
        if len(todo) < batch:
            break
    return done + reinspect_pending(now, batch=batch, card=card, run=run)


def _missing_analysis() -> Exists:
    from kefu.conversations.models import Message

    return Exists(
        Message.objects.filter(
            conversation=OuterRef("conversation"), author_kind="customer", is_internal=False, emotion__isnull=True
        ).exclude(text="")
    )


def reinspect_pending(
    now: datetime, *, batch: int = BATCH, card: Scorecard | None = None, run: Run | None = None
) -> int:
    """Inspect again the automatic inspections made while some analysis was pending, once every
    customer message of the conversation has its analysis; an inspection with an appeal is left
    as the agent saw it."""
    rows = list(
        Inspection.objects.filter(kind=InspectionKind.AUTO, analysis_pending__gt=0)
        .exclude(checks__appeal_status__gt="")
        .exclude(_missing_analysis())
        .order_by("id")[:batch]
    )
    if not rows:
        return 0
    card = card or default_scorecard(now)
    specs = specs_of(card)
    run = run or Run()
    conversations = {
        c.pk: c for c in engine.inspectable(Conversation.objects.filter(pk__in=[r.conversation_id for r in rows]))
    }
    with transaction.atomic():
        for inspection in rows:
            outcome = engine.run(engine.transcript_of(conversations[inspection.conversation_id], run), specs)
            Check.objects.filter(inspection=inspection).delete()
            Check.objects.bulk_create(_checks(inspection, outcome))
            inspection.score, inspection.analysis_pending = outcome.score, outcome.analysis_pending
            inspection.scorecard, inspection.completed_at = card, now
            inspection.save(update_fields=["score", "analysis_pending", "scorecard", "completed_at"])
    return len(rows)


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
    chosen = engine.inspectable(Conversation.objects.filter(pk__in=picked).order_by("id"))
    made = do_inspect_many(chosen, now=now, kind=InspectionKind.MANUAL, reviewer=actor)
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
