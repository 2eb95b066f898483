"""Run a scorecard over a transcript: the enabled shipped rules and the administrators' own
keyword / regular-expression rules, and the weighted score (0–100)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from kefu.core.errors import ValidationFailed
from kefu.core.text import fold
from kefu.quality.choices import CustomRuleKind, CustomRuleMode
from kefu.quality.rules import (
    AGENT,
    AUTHORS,
    CHANNELS,
    CUSTOMER,
    FAIL,
    NA,
    PASS,
    RULES,
    Mood,
    Msg,
    Result,
    Run,
    Transcript,
)


@dataclass(frozen=True)
class RuleSpec:
    """A rule as one scorecard uses it."""

    id: str
    weight: int
    custom: Any = None  # a CustomRule-like object (kind, pattern, mode, key) for admin rules


@dataclass(frozen=True)
class Outcome:
    score: int
    checks: list[tuple[Result, int]]  # (result, weight)
    analysis_pending: int = 0  # customer messages soothe_first could not judge yet (no stored analysis)

    def as_dict(self) -> dict[str, Any]:
        return {"score": self.score, "checks": [{**r.as_dict(), "weight": w} for r, w in self.checks]}


def shipped_specs(config: dict[str, Any] | None = None) -> list[RuleSpec]:
    """The shipped rules a scorecard's ``rules`` JSON turns on, with their weights."""
    config = config or {}
    specs = []
    for rule in RULES.values():
        own = config.get(rule.id) or {}
        if own.get("enabled", True):
            specs.append(RuleSpec(rule.id, int(own.get("weight", rule.weight))))
    return specs


def compile_custom(kind: str, pattern: str) -> re.Pattern[str]:
    """An admin rule as one expression over folded text; raises ValidationFailed if invalid."""
    if kind == CustomRuleKind.KEYWORD:
        words = [fold(w.strip()) for w in pattern.splitlines() if w.strip()]
        if not words:
            raise ValidationFailed(_("Give at least one keyword."))
        return re.compile("|".join(re.escape(w) for w in words))
    try:
        return re.compile(fold(pattern))
    except re.error as exc:
        raise ValidationFailed(_("The regular expression is not valid: %(error)s") % {"error": exc}) from None


def custom_check(t: Transcript, key: str, kind: str, pattern: str, mode: str) -> Result:
    agents = t.indexes(AGENT)
    if not agents:
        return Result(key, NA, _("No agent message."))
    expr = compile_custom(kind, pattern)
    hit = next((i for i in agents if expr.search(t.folded[i])), None)
    if mode == CustomRuleMode.MUST:
        if hit is None:
            return Result(key, FAIL, _("The agent never wrote the required wording."))
        return Result(key, PASS, "", hit)
    if hit is not None:
        found = expr.search(t.folded[hit])
        return Result(key, FAIL, "「%s」" % (found.group(0) if found else ""), hit)
    return Result(key, PASS)


def run(t: Transcript, specs: Sequence[RuleSpec], *, timings: dict[str, float] | None = None) -> Outcome:
    checks: list[tuple[Result, int]] = []
    for spec in specs:
        start = time.perf_counter() if timings is not None else 0.0
        if spec.custom is not None:
            c = spec.custom
            result = custom_check(t, c.key, c.kind, c.pattern, c.mode)
        else:
            result = RULES[spec.id].check(t)
        if timings is not None:
            timings[spec.id] = timings.get(spec.id, 0.0) + time.perf_counter() - start
        checks.append((result, spec.weight))
    pending = len(t.pending) if any(spec.id == "soothe_first" and spec.custom is None for spec in specs) else 0
    return Outcome(score=score_of(checks), checks=checks, analysis_pending=pending)


def score_of(checks: Iterable[tuple[Result, int]]) -> int:
    counted = [(r.status, w) for r, w in checks if r.status in (PASS, FAIL)]
    total = sum(w for _s, w in counted)
    if total == 0:
        return 100
    return round(100 * sum(w for s, w in counted if s == PASS) / total)


def parse_messages(channel: Any, raw: Any) -> Transcript:
    """The API's transcript (``{"author", "text", "at"}`` items), validated: a clear 400 otherwise."""
    if not isinstance(channel, str) or channel not in CHANNELS:
        raise ValidationFailed(
            _("Unknown channel “%(value)s”; use one of: %(all)s")
            % {"value": channel, "all": ", ".join(sorted(CHANNELS))}
        )
    if not isinstance(raw, list) or not raw:
        raise ValidationFailed(_("Give the messages of the conversation."))
    if len(raw) > 2000:
        raise ValidationFailed(_("At most 2,000 messages."))
    messages = []
    for n, item in enumerate(raw):
        if not isinstance(item, dict):
            raise ValidationFailed(_("Message %(n)s is not an object.") % {"n": n})
        author, text, at = item.get("author"), item.get("text"), item.get("at")
        if author not in AUTHORS:
            raise ValidationFailed(_("Message %(n)s: the author is customer, agent, bot or system.") % {"n": n})
        if not isinstance(text, str) or len(text) > 20000:
            raise ValidationFailed(_("Message %(n)s: the text must be a string.") % {"n": n})
        moment: datetime | None = None
        if at is not None:
            try:
                moment = datetime.fromisoformat(str(at).replace("Z", "+00:00"))
            except ValueError:
                raise ValidationFailed(_("Message %(n)s: “at” is not an ISO-8601 time.") % {"n": n}) from None
            if moment.tzinfo is None:
                raise ValidationFailed(_("Message %(n)s: “at” needs a time zone.") % {"n": n})
        messages.append(Msg(author=author, text=text, at=moment))
    return Transcript(channel=channel, messages=messages)


# One public message as an inspection reads it: a plain tuple (no model instance), with its stored
# analysis (emotion, score) or (None, None).
ROW_FIELDS = ("author_kind", "author_id", "text", "created_at", "emotion__emotion", "emotion__score")
KIND, AUTHOR_ID, TEXT, AT, EMOTION, SCORE = range(len(ROW_FIELDS))
# The columns of a conversation an inspection needs (the rest is not read, nor converted).
CONVERSATION_FIELDS = ("id", "channel__kind", "assignee_id", "team_id", "closed_at")


def rows_of(conversation_ids: list[int]) -> dict[int, list[tuple[Any, ...]]]:
    """The public messages of many conversations in one query, oldest first, each joined with its
    stored analysis (a LEFT JOIN on ``MessageEmotion``)."""
    from kefu.conversations.models import Message

    out: dict[int, list[tuple[Any, ...]]] = {pk: [] for pk in conversation_ids}
    if not conversation_ids:
        return out
    found = (
        Message.objects.filter(conversation_id__in=conversation_ids, is_internal=False)
        .order_by("conversation_id", "created_at", "id")
        .values_list("conversation_id", *ROW_FIELDS)
    )
    for row in found:
        out[row[0]].append(row[1:])
    return out


def inspectable(qs: QuerySet[Any]) -> list[Any]:
    """The conversations of ``qs`` (already sliced to a batch) with everything an inspection reads,
    in two queries for the whole batch: the conversation's own columns with its channel's kind; the
    public messages and their stored analysis as ``conversation.public_messages``."""
    conversations = list(qs.select_related("channel").only(*CONVERSATION_FIELDS))
    rows = rows_of([c.pk for c in conversations])
    for c in conversations:
        c.public_messages = rows[c.pk]
    return conversations


def transcript_of(conversation: Any, run: Run | None = None) -> Transcript:
    """A stored conversation as the rules see it, with each customer message's stored analysis;
    internal notes are not part of it.  Reads ``conversation.public_messages`` when
    :func:`inspectable` loaded them (no query), else queries the messages once."""
    rows = getattr(conversation, "public_messages", None)
    if rows is None:
        rows = rows_of([conversation.pk])[conversation.pk]
    messages = [
        Msg(
            r[KIND],
            r[TEXT],
            r[AT],
            Mood(r[EMOTION], r[SCORE] or 0.0) if r[EMOTION] is not None and r[KIND] == CUSTOMER else None,
        )
        for r in rows
    ]
    return Transcript(channel=conversation.channel.kind, messages=messages, run=run or Run())


def with_analysis(t: Transcript) -> Transcript:
    """A transcript that is not stored (the inspect API, the labelled sets), analysed the way the
    analysis process analyses a stored message — the cheap screen, then the models (one batch) for
    what it is unsure of — so the rules see what they would read from ``MessageEmotion``.  Only the
    customer messages :func:`kefu.quality.rules.soothe_first` would look at are analysed."""
    from kefu.assist.emotion import analyze_many

    # t.pending: the messages that matter, with no stored analysis and no sure screen.
    todo = t.pending
    if not todo:
        return t
    found = analyze_many([t.messages[i].text for i in todo])
    moods = {i: Mood(a.emotion, a.score, "model") for i, a in zip(todo, found, strict=True)}
    messages = [replace(m, analysis=moods[i]) if i in moods else m for i, m in enumerate(t.messages)]
    return Transcript(channel=t.channel, messages=messages, run=t.run)
