"""Reply lint: check an agent's draft against the service standards (R18) before it is sent.

Two sources of findings:

* the behaviours the seeds forbid (:mod:`kefu.assist.lint_rules`): refusing directly, shirking
  responsibility, a commanding tone, arguing, casual promises, blaming the customer, indifference, rude
  words — patterns with the context that excuses them, so drafts nobody listed are judged too;
* the configurable forbidden phrases (:class:`kefu.assist.models.ForbiddenPhrase`), for what an
  administrator wants flagged word for word.

Matching runs on the folded draft (:func:`~kefu.assist.textspan.aligned_fold`), so a Traditional draft is
checked by the same Simplified patterns and every span is an offset into the original text.  Every
finding names its behaviour and carries a polite alternative in the draft's script.  Patterns are
compiled once at import; a draft of 50 characters takes well under a millisecond (``kefu bench lint``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from functools import lru_cache
from importlib import resources
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kefu.assist.choices import SEVERITY_RANK, LintRule, Severity
from kefu.assist.lint_rules import RULES, SUGGESTIONS, Draft, command_suggestion, finditer
from kefu.assist.textspan import aligned_fold, to_traditional
from kefu.core.memo import ProcessMemo


@dataclass(frozen=True)
class Violation:
    start: int
    end: int
    text: str
    rule: str
    severity: str
    message: str
    suggestion: str
    behaviour: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Phrase:
    phrase: str
    rule: str
    severity: str
    suggestion: str
    reason: str = ""


MESSAGES: dict[str, Promise] = {
    LintRule.REFUSING: _("Refusing directly: explain why, and offer what you can do instead."),
    LintRule.SHIRKING: _("Shirking responsibility: take the problem on and say what you will do."),
    LintRule.COMMANDING: _("Commanding tone: ask the customer, do not order them."),
    LintRule.ARGUING: _("Arguing with the customer: acknowledge their view and explain calmly."),
    LintRule.CASUAL_PROMISE: _("Casual promise: do not promise an outcome that is not in our control."),
    LintRule.BLAMING: _("Blaming the customer: describe the problem without finding fault with them."),
    LintRule.INDIFFERENT: _("Indifference: never brush the customer off; find out and answer."),
    LintRule.RUDE: _("Rude words: never blame or belittle the customer."),
}

# Polite counterparts that contain a listed phrase: a phrase match inside one of these is dropped.
POLITE: tuple[re.Pattern[str], ...] = (
    re.compile(r"不知道(您|你|亲|是否|能否|可否|方不方便|方便|有没有|还有)"),
    re.compile(r"(您|你|亲|客户)(可能|如果|要是|若)?不知道"),
    re.compile(r"(我|我们)(会|将)?(帮|为|给)(您|你)(想|找)(办法|法子)"),
)

_PUNCT = re.compile(r"[\s\W_]")


def behaviour_label(rule: str) -> str:
    """The behaviour's name in the active language (「直接拒绝」…), or the code of an unknown rule."""
    try:
        return str(LintRule(rule).label)
    except ValueError:
        return rule


@lru_cache(maxsize=64)
def _phrases_regex(phrases: tuple[str, ...]) -> re.Pattern[str] | None:
    """One alternation over every phrase (longest first), each as typed in either script, with Taiwan
    wording too (设备 → 裝置 folds to 装置), tolerating punctuation and spaces between characters.
    Group ``p<i>`` is the i-th phrase of ``phrases``."""
    order = sorted(range(len(phrases)), key=lambda i: -len(phrases[i]))
    parts = []
    for i in order:
        variants = dict.fromkeys([aligned_fold(phrases[i]), aligned_fold(to_traditional(phrases[i]))])
        body = "|".join(_loose(v) for v in variants if v.strip())
        if body:
            parts.append(f"(?P<p{i}>{body})")
    return re.compile("|".join(parts)) if parts else None


def _loose(folded: str) -> str:
    parts = []
    for ch in folded:
        parts.append(r"[\s\W_]*" if _PUNCT.match(ch) else re.escape(ch) + r"\s*")
    return "".join(parts).removesuffix(r"\s*").removesuffix(r"[\s\W_]*")


def default_phrases() -> list[dict[str, str]]:
    """The shipped list (seeds 000, 003, 004), copied into the database on install."""
    data = resources.files("kefu.assist").joinpath("data/forbidden_phrases.json").read_text(encoding="utf-8")
    phrases: list[dict[str, str]] = json.loads(data)
    return phrases


def shipped_phrases() -> list[Phrase]:
    """The shipped list as :class:`Phrase` rows, without a database (benches, evaluation)."""
    return [
        Phrase(
            phrase=row["phrase"],
            rule=row["rule"],
            severity=row["severity"],
            suggestion=row.get("suggestion", ""),
            reason=row.get("reason", ""),
        )
        for row in default_phrases()
    ]


def _read_phrases() -> tuple[Phrase, ...]:
    from kefu.assist.models import ForbiddenPhrase

    return tuple(
        Phrase(phrase=row.phrase, rule=row.rule, severity=row.severity, suggestion=row.suggestion, reason=row.reason)
        for row in ForbiddenPhrase.objects.filter(is_active=True)
    )


# Every agent reply is linted before it is sent: the list is kept per process and read again when a
# phrase is saved or deleted (kefu.core.memo), not read for each reply.
_PHRASES = ProcessMemo(_read_phrases, models=("assist.ForbiddenPhrase",))


def configured_phrases() -> list[Phrase]:
    """The active forbidden phrases an administrator keeps in the admin (kept per process, read again
    when one changes; pass the result as ``phrases=`` when linting many drafts)."""
    return list(_PHRASES.get())


def phrases_changed() -> None:
    """Read the list again next time (after writes that send no signal: ``bulk_create``, ``update``)."""
    _PHRASES.clear()


@lru_cache(maxsize=1)
def _shipped_rules() -> dict[str, str]:
    return {row["phrase"]: row["rule"] for row in default_phrases()}


def _named_rule(phrase: Phrase) -> str:
    """The behaviour a listed phrase stands for.  Rows installed before the list named behaviours carry
    the generic rule (``forbidden_phrase``, ``rude``); a shipped phrase gets its shipped behaviour."""
    if phrase.rule in (LintRule.FORBIDDEN_PHRASE, LintRule.RUDE):
        return _shipped_rules().get(phrase.phrase, phrase.rule)
    return phrase.rule


def _phrase_message(phrase: Phrase, rule: str) -> str:
    """The behaviour's message, with the administrator's reason for listing the phrase."""
    base = MESSAGES.get(rule)
    if phrase.reason:
        if base is not None:
            return f"{base} （{phrase.reason}）"
        return str(_("Forbidden phrase: %(reason)s") % {"reason": phrase.reason})
    return str(base) if base is not None else str(_("Forbidden phrase of the service standards."))


def _overlaps(span: tuple[int, int], spans: Iterable[tuple[int, int]]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in spans)


def _inside(span: tuple[int, int], spans: Iterable[tuple[int, int]]) -> bool:
    return any(start <= span[0] and span[1] <= end for start, end in spans)


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    rule: str
    severity: str
    message: str
    suggestion: str


# Characters the t2s fold keeps because they are also Simplified (著名), where the drafts mean the other
# word (著急 → 着急, 等著 → 等着); one for one, so offsets do not move.
_EXTRA_FOLD = str.maketrans({"著": "着"})


def behaviour_hits(folded: str) -> tuple[list[_Hit], list[tuple[int, int]]]:
    """The behaviour findings of a folded draft, and the spans of cues their context excused."""
    folded = folded.translate(_EXTRA_FOLD)
    draft = Draft.of(folded)
    hits: list[_Hit] = []
    taken: list[tuple[int, int]] = []
    excused: list[tuple[int, int]] = []
    for rule in RULES:
        for m in finditer(rule.regex, folded):
            span = m.span()
            if span[1] <= span[0] or _overlaps(span, taken):
                continue
            if rule.excuse is not None and rule.excuse(draft, m):
                excused.append(span)
                continue
            suggestion = SUGGESTIONS[rule.rule]
            end = span[1]
            if rule.rule == LintRule.COMMANDING:
                clause_end = draft.clause(span[0])[1]
                tailored = command_suggestion(folded[span[0] : max(clause_end, span[1])])
                if tailored:
                    suggestion, end = tailored, max(clause_end, span[1])
                    if _overlaps((span[0], end), taken):
                        end = span[1]
                        suggestion = SUGGESTIONS[rule.rule]
            taken.append((span[0], end))
            hits.append(_Hit(span[0], end, rule.rule.value, rule.severity.value, str(MESSAGES[rule.rule]), suggestion))
    return hits, excused


def lint(text: str, *, phrases: Sequence[Phrase] | None = None) -> list[Violation]:
    """Violations of the service standards in an agent's draft, ordered by position.

    ``phrases`` defaults to the configured list (a database read)."""
    if not text.strip():
        return []
    folded = aligned_fold(text)
    behaviours, excused = behaviour_hits(folded)
    # The listed phrases come first (the administrator's wording and suggestion, the whole phrase as
    # the span), unless the behaviour rules excused that very cue (「暂时没办法…，我帮您…」).
    hits: list[_Hit] = []
    listed = list(phrases if phrases is not None else configured_phrases())
    regex = _phrases_regex(tuple(p.phrase for p in listed)) if listed else None
    if regex is not None:
        polite = [m.span() for pattern in POLITE for m in pattern.finditer(folded)]
        for m in regex.finditer(folded):
            span = m.span()
            if _inside(span, polite) or _overlaps(span, excused):
                continue
            phrase = listed[int((m.lastgroup or "p0")[1:])]
            wider = [
                i
                for i, h in enumerate(behaviours)
                if _overlaps(span, [(h.start, h.end)]) and h.end - h.start > span[1] - span[0]
            ]
            if wider:
                # A behaviour matched around the phrase, with more context (「您要这样我也没办法」): it
                # stands, at the listed phrase's severity if that is higher.
                for i in wider:
                    if SEVERITY_RANK[Severity(phrase.severity)] > SEVERITY_RANK[Severity(behaviours[i].severity)]:
                        behaviours[i] = replace(behaviours[i], severity=phrase.severity)
                continue
            rule = _named_rule(phrase)
            suggestion = phrase.suggestion or SUGGESTIONS.get(rule, "")
            hits.append(_Hit(*span, rule, phrase.severity, _phrase_message(phrase, rule), suggestion))
    taken = [(h.start, h.end) for h in hits]
    hits += [h for h in behaviours if not _overlaps((h.start, h.end), taken)]
    traditional = bool(hits) and _written_traditional(text, folded)
    found = [
        Violation(
            h.start,
            h.end,
            text[h.start : h.end],
            h.rule,
            h.severity,
            h.message,
            to_traditional(h.suggestion) if traditional and h.suggestion else h.suggestion,
            behaviour_label(h.rule),
        )
        for h in hits
    ]
    return sorted(found, key=lambda v: (v.start, v.end))


def _written_traditional(text: str, folded: str) -> bool:
    """:func:`~kefu.assist.textspan.is_traditional` from the fold already made (one conversion, not two)."""
    return any(a != b for a, b in zip(text.lower(), folded, strict=False) if "\u4e00" <= a <= "\u9fff")


def lint_many(texts: Iterable[str], *, phrases: Sequence[Phrase] | None = None) -> list[list[Violation]]:
    """:func:`lint` over many drafts with one read of the phrase list (quality inspection)."""
    listed = list(phrases if phrases is not None else configured_phrases())
    return [lint(t, phrases=listed) for t in texts]


def blocking(violations: list[Violation], severities: list[str]) -> list[Violation]:
    """The violations whose severity an administrator chose to block sending."""
    return [v for v in violations if v.severity in severities]
