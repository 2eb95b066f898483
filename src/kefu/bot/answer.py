"""The FAQ bot's answer to one customer message (``POST /api/v1/bot/answer`` and the chat widget).

Order of decisions: a request for a person (人工, 转人工, 找客服, 真人 … in either script) or an upset
customer (``kefu.assist.emotion``: angry, or threats to escalate) hands over at once; greetings and
thanks get a short reply; otherwise the best public article (:mod:`kefu.bot.matching`) answers when the
confidence reaches the channel's threshold, else the bot hands over.  Every answer says it comes from
an assistant and offers a person; an article's follow-up fact (R17) is added; a zh-Hant reader gets
Traditional characters.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import datetime
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from kefu.assist.textspan import aligned_fold, is_traditional, to_traditional
from kefu.bot import intents, matching
from kefu.bot.choices import HandoffReason, Intent
from kefu.bot.models import DEFAULT_THRESHOLD
from kefu.core.text import fold
from kefu.knowledge.content import plain_text
from kefu.knowledge.models import Article

LANGS = ("zh-hans", "zh-hant", "en")
MAX_CHARS = 500
ANSWER_CHARS = 220
HUMAN = re.compile(
    r"转?人工|找(个)?(客服|人|真人)|真人|活人|转接|接客服|客服(在吗|在不在|呢)|"
    r"(不要|别用|别|不想(跟|和)?)(机器人|机器)|human|agent|real person"
)


@dataclass(frozen=True)
class BotAnswer:
    answer: str
    article_id: int | None
    confidence: float
    handoff: bool
    intent: str | None
    reason: str = ""
    article_key: str = ""

    def as_api(self) -> dict[str, Any]:
        data = asdict(self)
        return {k: data[k] for k in ("answer", "article_id", "confidence", "handoff", "intent")}


def asks_for_person(text: str) -> bool:
    return bool(HUMAN.search(aligned_fold(text)))


def language_of(text: str, lang: str) -> str:
    """The script to answer in: zh-Hant when the customer writes Traditional, else the requested one."""
    lang = (lang or "zh-hans").lower()
    if lang not in LANGS:
        lang = "zh-hans"
    if is_traditional(text):
        return "zh-hant"
    return lang


def _excerpt(article: Article) -> str:
    text = plain_text(article.body).strip()
    if len(text) <= ANSWER_CHARS:
        return text
    cut = text[:ANSWER_CHARS]
    end = max(cut.rfind(mark) for mark in "。！？\n")
    return (cut[: end + 1] if end > ANSWER_CHARS // 2 else cut + "…").strip()


def _bigrams(text: str) -> set[str]:
    chars = [c for c in fold(text) if c.isalnum()]
    return {a + b for a, b in pairwise(chars)}


def _says(excerpt: str, fact: str) -> bool:
    """Whether the excerpt already states the follow-up fact (most of its character pairs are there)."""
    wanted = _bigrams(fact)
    return bool(wanted) and len(wanted & _bigrams(excerpt)) >= 0.7 * len(wanted)


ESCALATION = frozenset({"投诉", "12315", "律师", "曝光", "消协"})


def _upset(text: str) -> bool:
    """Angry, or threatening to escalate.  The emotion screen (cue lexicon and n-grams, no encoder) decides
    when it is sure; the encoder runs only where it could still make the message angry (exclamation marks
    or an escalation word the screen left open), so most questions cost no second encoding."""
    from kefu.assist import cues, emotion

    mood = emotion.screen(text)
    if mood is None:
        found = cues.find(text)
        if not found.exclamations and not set(found.all) & ESCALATION:
            return False
        mood = emotion.analyze(text)
    return mood.emotion == "angry" or bool(set(mood.cues) & ESCALATION)


def handoff_text(*, open_now: bool = True, online: bool = True, next_opening: datetime | None = None) -> str:
    if open_now and online:
        return _("OK, I am passing you to a customer-service agent; please wait a moment.")
    if not open_now and next_opening is not None:
        local = next_opening.astimezone(ZoneInfo(settings.TIME_ZONE))
        return _(
            "Our agents are not at work now; they are back at %(when)s. You can leave a message and we will "
            "answer as soon as we are back."
        ) % {"when": local.strftime("%m-%d %H:%M")}
    return _("All our agents are busy at the moment. You can leave a message and we will answer as soon as we can.")


def _offer() -> str:
    return _("(I am the shop's assistant. Reply “人工” at any time to talk to a person.)")


def _script(text: str, lang: str) -> str:
    return to_traditional(text) if lang == "zh-hant" else text


def answer(
    text: str,
    lang: str = "zh-hans",
    *,
    threshold: float = DEFAULT_THRESHOLD,
    open_now: bool = True,
    online: bool = True,
    next_opening: datetime | None = None,
) -> BotAnswer:
    """The bot's reply to ``text``; ``handoff`` says a person should take over."""
    text = text.strip()[:MAX_CHARS]
    lang = language_of(text, lang)
    with translation.override(lang):
        guess = intents.predict(text)
        intent = guess.intent

        def hand_over(reason: str, article: Any = None, confidence: float = 0.0) -> BotAnswer:
            reply = handoff_text(open_now=open_now, online=online, next_opening=next_opening)
            return BotAnswer(
                answer=_script(reply, lang),
                article_id=getattr(article, "article_id", None),
                confidence=confidence,
                handoff=True,
                intent=intent,
                reason=reason,
                article_key=getattr(article, "key", ""),
            )

        if asks_for_person(text) or intent == Intent.HUMAN:
            return hand_over(HandoffReason.ASKED)
        if _upset(text):
            return hand_over(HandoffReason.ANGRY)
        if intent == Intent.COMPLAINT and guess.confidence >= 0.5:
            return hand_over(HandoffReason.COMPLAINT)
        if intent == Intent.GREETING and guess.confidence >= 0.5 and len(text) <= 8:
            reply = _(
                "Hello! I am the shop's assistant. "
                "I can answer questions about shipping, returns, refunds, invoices and more."
            )
            return BotAnswer(_script(f"{reply}{_offer()}", lang), None, guess.confidence, False, intent)
        if intent == Intent.THANKS and guess.confidence >= 0.5 and len(text) <= 12:
            reply = _("You are welcome! Ask me anything else at any time.")
            return BotAnswer(_script(f"{reply}{_offer()}", lang), None, guess.confidence, False, intent)
        ranked = matching.hybrid_matches(text, intent=intent if guess.confidence >= 0.4 else None)
        confidence = matching.confidence(ranked)
        if not ranked or confidence < threshold:
            return hand_over(HandoffReason.LOW_CONFIDENCE, ranked[0] if ranked else None, confidence)
        best = ranked[0]
        article = Article.objects.get(pk=best.article_id)
        excerpt = _excerpt(article)
        parts = [f"【{article.title}】", excerpt]
        if article.follow_up and not _says(excerpt, article.follow_up):
            parts.append(article.follow_up)
        body = "\n".join(parts)
        return BotAnswer(
            answer=_script(f"{body}\n{_offer()}", lang),
            article_id=article.pk,
            confidence=confidence,
            handoff=False,
            intent=intent,
            article_key=article.key,
        )
