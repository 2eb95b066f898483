"""Writes of the assist app: settings, the forbidden-phrase list's defaults, customer-emotion records
and the priority raise they cause (R19, R31)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kefu.assist import analysis
from kefu.assist import emotion as emotion_model
from kefu.assist.choices import AnalysisPath, Emotion, Severity
from kefu.assist.lint import blocking, default_phrases, lint, phrases_changed
from kefu.assist.models import AssistSettings, ForbiddenPhrase, MessageEmotion
from kefu.conversations.choices import AuthorKind
from kefu.conversations.models import Conversation, Message
from kefu.core import clock
from kefu.core.actions import action
from kefu.core.choices import PRIORITY_RANK, Priority
from kefu.core.errors import ValidationFailed
from kefu.core.events import publish
from kefu.core.memo import ProcessMemo
from kefu.core.records import save_changes

# The priority an unhappy / angry (or threatening) customer's conversation is raised to at least.
RAISE_TO = {Emotion.UNHAPPY: Priority.HIGH, Emotion.ANGRY: Priority.URGENT}


def do_seed_defaults(*, using: str = "default", now: datetime | None = None) -> None:
    """Install the settings row and, on a fresh install (empty list), the shipped forbidden phrases.
    Idempotent; an administrator's deletions are not undone by later migrations."""
    now = now or clock.now()
    AssistSettings.objects.using(using).get_or_create(pk=1, defaults={"updated_at": now})
    if ForbiddenPhrase.objects.using(using).exists():
        return
    ForbiddenPhrase.objects.using(using).bulk_create(
        [
            ForbiddenPhrase(
                phrase=row["phrase"],
                rule=row["rule"],
                severity=row["severity"],
                reason=row.get("reason", ""),
                suggestion=row.get("suggestion", ""),
                source=row.get("source", ""),
                updated_at=now,
            )
            for row in default_phrases()
        ],
        ignore_conflicts=True,
    )
    phrases_changed()


def assist_settings() -> AssistSettings:
    row, _created = AssistSettings.objects.get_or_create(pk=1, defaults={"updated_at": clock.now()})
    return row


# What every agent reply is checked against, kept per process and read again when the row changes.
_BLOCKED = ProcessMemo(lambda: tuple(assist_settings().block_severities or ()), models=("assist.AssistSettings",))


@action("assist.change_assistsettings")
def check_update_settings(*, actor: Any, block_severities: list[str], raise_priority: bool) -> AssistSettings:
    unknown = [s for s in block_severities if s not in Severity.values]
    if unknown:
        raise ValidationFailed(_("Unknown severity “%(value)s”.") % {"value": unknown[0]})
    row = assist_settings()
    save_changes(
        row,
        {"block_severities": sorted(set(block_severities)), "raise_priority": bool(raise_priority)},
        actor=actor,
        now=clock.now(),
        verb="assist.settings.changed",
    )
    return row


def _raise_priority(
    conversation: Conversation, analysis: emotion_model.Analysis, *, message_id: int, now: datetime
) -> bool:
    """Raise the conversation's priority for an unhappy / angry (or urgent) customer; never lowers it.
    Audited as ``conversation.priority_raised``; publishes ``conversation.classified``."""
    target = RAISE_TO.get(Emotion(analysis.emotion))
    if analysis.urgent and analysis.emotion != Emotion.CALM:
        target = Priority.URGENT
    if target is None or PRIORITY_RANK[Priority(target)] <= PRIORITY_RANK[Priority(conversation.priority)]:
        return False
    save_changes(conversation, {"priority": target}, actor=None, now=now, verb="conversation.priority_raised")
    publish(
        conversation.stream_key,
        "conversation",
        "classified",
        {
            "conversation": conversation.pk,
            "priority": conversation.priority,
            "cause": analysis.emotion,
            "message": message_id,
        },
        now=now,
    )
    return True


def _row(message: Message, result: analysis.Result, *, version: str, now: datetime) -> MessageEmotion:
    a = result.analysis
    return MessageEmotion(
        message_id=message.pk,
        conversation_id=message.conversation_id,
        emotion=a.emotion,
        score=a.score,
        urgent=a.urgent,
        cues=list(a.cues),
        intent=(a.intent or "")[:20],
        script=result.script,
        path=result.path,
        model_version=version,
        created_at=now,
    )


def do_record_emotion(message: Message, result: emotion_model.Analysis, *, now: datetime) -> MessageEmotion:
    """Store one customer message's analysis (made by the models) and raise its conversation's priority
    when the customer is unhappy or angry."""
    (record,) = do_record_analyses([(message, analysis.Result(result, AnalysisPath.MODEL.value))], now=now)
    return record


def do_record_analyses(items: list[tuple[Message, analysis.Result]], *, now: datetime) -> list[MessageEmotion]:
    """Store the analyses of a batch of customer messages in one short transaction (a message already
    analysed keeps its row), then raise each conversation's priority once for its strongest message."""
    if not items:
        return []
    version = analysis.model_version()
    rows = [_row(m, r, version=version, now=now) for m, r in items]
    strongest: dict[int, tuple[int, emotion_model.Analysis, int]] = {}
    for message, result in items:
        rank = _strength(result.analysis)
        if rank and rank > strongest.get(message.conversation_id, (0, result.analysis, 0))[0]:
            strongest[message.conversation_id] = (rank, result.analysis, message.pk)
    with transaction.atomic():
        MessageEmotion.objects.bulk_create(rows, ignore_conflicts=True)
        if strongest and assist_settings().raise_priority:
            for conversation in Conversation.objects.select_for_update().filter(pk__in=sorted(strongest)):
                _rank, cause, message_id = strongest[conversation.pk]
                _raise_priority(conversation, cause, message_id=message_id, now=now)
    return rows


def _strength(a: emotion_model.Analysis) -> int:
    target = RAISE_TO.get(Emotion(a.emotion))
    if a.urgent and a.emotion != Emotion.CALM:
        target = Priority.URGENT
    return PRIORITY_RANK[Priority(target)] if target is not None else 0


# --- analysis once per message: the drain of pending messages ---------------------------------------

BATCH = 32  # messages analysed and stored together (the models see the unsure ones of a batch at once)
SLACK_IDS = 5000  # a drain looks back this many message ids behind the newest for late commits
FULL_RESCAN_S = 600.0  # and from the very first message this often (a safety net; the backfill is the tool)


def pending_messages(*, after: int = 0, limit: int = BATCH, conversation_id: int | None = None) -> list[Message]:
    """Public customer messages with text and no analysis yet, oldest first, id > ``after``."""
    qs = Message.objects.filter(
        id__gt=after, author_kind=AuthorKind.CUSTOMER, is_internal=False, emotion__isnull=True
    ).exclude(text="")
    if conversation_id is not None:
        qs = qs.filter(conversation_id=conversation_id)
    return list(qs.order_by("id").only("id", "conversation_id", "text", "created_at")[:limit])


def analyse_and_record(messages: list[Message]) -> list[MessageEmotion]:
    """Analyse a batch (the screen, then the models for the unsure ones) and store it."""
    if not messages:
        return []
    results = analysis.analyse([m.text for m in messages])
    return do_record_analyses(list(zip(messages, results, strict=True)), now=clock.now())


class _Drain:
    """One drain at a time in a process; a request that arrives while one runs makes it go round again,
    so nothing committed before a request is left behind."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.again = threading.Event()
        self.floor = 0  # no pending message below this id (but for late commits: SLACK_IDS)
        self.rescanned_at = time.monotonic()


_drain = _Drain()


def drain_pending(*, budget_s: float | None = None, batch: int = BATCH) -> tuple[int, bool]:
    """Analyse every pending customer message, in batches.  Returns (messages analysed, more left):
    ``more`` is true when ``budget_s`` ran out first (the caller queues another drain)."""
    done = 0
    started = time.monotonic()
    while True:
        _drain.again.set()
        if not _drain.lock.acquire(blocking=False):
            return done, False  # the running drain sees the request and goes round again
        try:
            _drain.again.clear()
            if time.monotonic() - _drain.rescanned_at > FULL_RESCAN_S:
                _drain.floor, _drain.rescanned_at = 0, time.monotonic()
            newest = Message.objects.order_by("-id").values_list("id", flat=True).first() or 0
            after = _drain.floor
            while True:
                found = pending_messages(after=after, limit=batch)
                if not found:
                    break
                analyse_and_record(found)
                done += len(found)
                after = found[-1].pk
                if budget_s is not None and time.monotonic() - started > budget_s:
                    return done, True
            _drain.floor = max(_drain.floor, newest - SLACK_IDS)
        finally:
            _drain.lock.release()
        if not _drain.again.is_set():
            return done, False


def analyze_new_customer_messages(conversation_id: int, *, now: datetime | None = None) -> list[MessageEmotion]:
    """Analyse the conversation's public customer messages that have none yet (the demo loader, tests)."""
    records: list[MessageEmotion] = []
    after = 0
    while found := pending_messages(after=after, conversation_id=conversation_id):
        records += analyse_and_record(found)
        after = found[-1].pk
    return records


def backfill(*, batch: int = 200, progress: Callable[[int, int], None] | None = None) -> int:
    """Analyse every stored customer message that has no analysis, oldest first, ``batch`` at a time;
    ``progress(done, total)`` after each batch.  Idempotent: a second run finds nothing to do."""
    total = (
        Message.objects.filter(author_kind=AuthorKind.CUSTOMER, is_internal=False, emotion__isnull=True)
        .exclude(text="")
        .count()
    )
    done, after = 0, 0
    while found := pending_messages(after=after, limit=batch):
        analyse_and_record(found)
        done += len(found)
        after = found[-1].pk
        if progress is not None:
            progress(done, max(total, done))
    return done


class ReplyBlocked(ValidationFailed):
    """An agent's reply breaks the service standards at a severity the administrator blocks."""

    code = "reply_standards"


def enforce_reply_standards(text: str) -> None:
    """Refuse an agent's public reply with a violation of a blocked severity (registered as a reply
    check of ``kefu.conversations.actions``; the composer shows the same violations while typing)."""
    severities = list(_BLOCKED.get())
    if not severities:
        return
    blocked = blocking(lint(text), severities)
    if blocked:
        listed = "; ".join(f"「{v.text}」{v.message}" for v in blocked)
        raise ReplyBlocked(
            _("This reply breaks the service standards: %(violations)s") % {"violations": listed},
            violations=[v.as_dict() for v in blocked],
        )
