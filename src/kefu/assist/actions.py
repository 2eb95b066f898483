"""Writes of the assist app: settings, the forbidden-phrase list's defaults, customer-emotion records
and the priority raise they cause (R19, R31)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kefu.assist import cues
from kefu.assist import emotion as emotion_model
from kefu.assist.choices import Emotion, Severity
from kefu.assist.lint import blocking, default_phrases, lint
from kefu.assist.models import AssistSettings, ForbiddenPhrase, MessageEmotion
from kefu.conversations.choices import AuthorKind
from kefu.conversations.models import Conversation, Message
from kefu.core import clock
from kefu.core.actions import action
from kefu.core.choices import PRIORITY_RANK, Priority
from kefu.core.errors import ValidationFailed
from kefu.core.events import publish
from kefu.core.records import save_changes
from kefu.core.text import fold

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


def assist_settings() -> AssistSettings:
    row, _created = AssistSettings.objects.get_or_create(pk=1, defaults={"updated_at": clock.now()})
    return row


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


def do_record_emotion(message: Message, analysis: emotion_model.Analysis, *, now: datetime) -> MessageEmotion:
    """Store a customer message's analysis; raise its conversation's priority when the customer is
    unhappy or angry (never lowers it), audited as ``conversation.priority_raised``."""
    with transaction.atomic():
        record, _created = MessageEmotion.objects.update_or_create(
            message=message,
            defaults={
                "conversation_id": message.conversation_id,
                "emotion": analysis.emotion,
                "score": analysis.score,
                "urgent": analysis.urgent,
                "cues": analysis.cues,
                "intent": analysis.intent or "",
                "created_at": now,
            },
        )
        target = RAISE_TO.get(Emotion(analysis.emotion))
        if analysis.urgent and analysis.emotion != Emotion.CALM:
            target = Priority.URGENT
        if target is not None and assist_settings().raise_priority:
            conversation = Conversation.objects.select_for_update().get(pk=message.conversation_id)
            if PRIORITY_RANK[Priority(target)] > PRIORITY_RANK[Priority(conversation.priority)]:
                save_changes(
                    conversation,
                    {"priority": target},
                    actor=None,
                    now=now,
                    verb="conversation.priority_raised",
                )
                publish(
                    conversation.stream_key,
                    "conversation",
                    "classified",
                    {"conversation": conversation.pk, "priority": conversation.priority, "cause": analysis.emotion},
                    now=now,
                )
    return record


# Words and marks without which a message is taken as calm without running the models (cheap first pass).
_MAYBE_UPSET = re.compile(r"[不没别还差慢坏错退烂投气急催等怎为!！?？]")


def might_be_upset(text: str) -> bool:
    return bool(_MAYBE_UPSET.search(fold(text))) or bool(cues.find(text).all)


def analyze_new_customer_messages(conversation_id: int, *, now: datetime) -> list[MessageEmotion]:
    """Analyse the conversation's public customer messages that have no analysis yet (latest 5); messages
    with nothing that could signal displeasure are skipped without loading the models."""
    pending = list(
        Message.objects.filter(
            conversation_id=conversation_id,
            author_kind=AuthorKind.CUSTOMER,
            is_internal=False,
            emotion__isnull=True,
        )
        .exclude(text="")
        .order_by("-id")[:5]
    )
    upset = [m for m in reversed(pending) if might_be_upset(m.text)]
    return [do_record_emotion(m, emotion_model.analyze(m.text), now=now) for m in upset]


class ReplyBlocked(ValidationFailed):
    """An agent's reply breaks the service standards at a severity the administrator blocks."""

    code = "reply_standards"


def enforce_reply_standards(text: str) -> None:
    """Refuse an agent's public reply with a violation of a blocked severity (registered as a reply
    check of ``kefu.conversations.actions``; the composer shows the same violations while typing)."""
    severities = list(assist_settings().block_severities or [])
    if not severities:
        return
    blocked = blocking(lint(text), severities)
    if blocked:
        listed = "; ".join(f"「{v.text}」{v.message}" for v in blocked)
        raise ReplyBlocked(
            _("This reply breaks the service standards: %(violations)s") % {"violations": listed},
            violations=[v.as_dict() for v in blocked],
        )
