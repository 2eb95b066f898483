"""The scorecard rules: pure functions of a transcript, each answering pass / fail / n/a.

Seed 003 §8–§9 and its appendix are the standards (R5, R6, R17–R19): greet within 15 s, no
customer waits more than 20 s, no behaviour the assist's reply lint reports (contract A), soothe
first when the customer is upset (each message's STORED emotion analysis; the rules never run the
emotion models), answer every message, thank at the end, never be the first to signal the end.
Phrase patterns match folded text (Traditional → Simplified, full-width → half-width),
so 「謝謝」 and 「谢谢」 are the same.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any, NamedTuple

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kefu.core.text import fold

CUSTOMER, AGENT, BOT, SYSTEM = "customer", "agent", "bot", "system"
AUTHORS = (CUSTOMER, AGENT, BOT, SYSTEM)
# Channels answered live, where seconds count (R5/R6 are online-chat standards).
LIVE_CHANNELS = frozenset({"web_chat", "chat", "platform", "social", "video", "marketplace"})
CHANNELS = frozenset({*LIVE_CHANNELS, "email", "phone", "letter", "face_to_face", "self_service", "in_person"})

GREET_SECONDS = 15  # R5 (003 appendix)
REPLY_SECONDS = 20  # R6
# The emotion model calls many plain questions (「想查一下退款进度」) mildly unhappy; a supervisor
# asks for soothing when the customer is clearly upset: angry, or unhappy with confidence.
UNHAPPY_SCORE = 0.75
# Every behaviour the reply lint names is a forbidden one of R18; its info-level notes do not fail the check.
LINT_SEVERITIES = frozenset({"warning", "error"})

PASS, FAIL, NA = "pass", "fail", "n/a"


class Mood(NamedTuple):
    """A customer message's stored analysis as the rules read it (``kefu.assist.models.MessageEmotion``:
    emotion and score), or the cheap screen's sure verdict when nothing is stored yet."""

    emotion: str
    score: float
    source: str = "stored"  # "stored" (the analysis row) | "screen" (decided at inspection, no encoder)


@dataclass(slots=True)
class Msg:
    author: str
    text: str
    at: datetime | None = None
    analysis: Mood | None = None  # the stored analysis of a customer message, if any


@dataclass(frozen=True)
class Result:
    rule: str
    status: str
    detail: str = ""
    message_index: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "status": self.status, "detail": self.detail, "message_index": self.message_index}


LINT_CACHE_LIMIT = 50_000


@dataclass
class Run:
    """What an inspection run shares between its conversations: the configured forbidden phrases
    (one database read) and the lint of each distinct agent text (canned replies repeat)."""

    phrases: list[Any] | None = None
    _lint: dict[str, list[Any]] = field(default_factory=dict)
    _folded: dict[str, str] = field(default_factory=dict)
    lint_calls: int = 0
    lint_hits: int = 0
    cache: bool = True  # off: every agent message is linted (the bench's worst case)

    def fold(self, text: str) -> str:
        found = self._folded.get(text)
        if found is None:
            if len(self._folded) >= LINT_CACHE_LIMIT:
                self._folded.clear()
            found = self._folded[text] = fold(text)
        return found

    def lint(self, text: str) -> list[Any]:
        from kefu.assist.lint import configured_phrases, lint

        self.lint_calls += 1
        found = self._lint.get(text) if self.cache else None
        if found is not None:
            self.lint_hits += 1
            return found
        if self.phrases is None:
            self.phrases = configured_phrases()
        if len(self._lint) >= LINT_CACHE_LIMIT:
            self._lint.clear()
        found = self._lint[text] = lint(text, phrases=self.phrases)
        return found


@dataclass
class Transcript:
    """A conversation as the rules see it; folding, lint and the upset messages are computed once."""

    channel: str
    messages: list[Msg]
    run: Run = field(default_factory=Run)

    @property
    def live(self) -> bool:
        return self.channel in LIVE_CHANNELS

    @cached_property
    def folded(self) -> list[str]:
        return [self.run.fold(m.text) for m in self.messages]

    @cached_property
    def ack(self) -> list[bool]:
        """Whether each customer message is an acknowledgement that needs no answer (「好的」「谢谢」)."""
        return [m.author == CUSTOMER and is_ack(f) for m, f in zip(self.messages, self.folded, strict=True)]

    @cached_property
    def timed(self) -> bool:
        return all(m.at is not None for m in self.messages)

    def indexes(self, *authors: str) -> list[int]:
        return [i for i, m in enumerate(self.messages) if m.author in authors and m.text.strip()]

    def lint(self, index: int) -> list[Any]:
        return self.run.lint(self.messages[index].text)

    @cached_property
    def moods(self) -> tuple[list[int], list[int]]:
        """(upset, pending): the customer messages that matter to :func:`soothe_first` — answered by an
        agent afterwards, not an acknowledgement — split by their analysis.

        The analysis is read, never computed here: the stored row (``message.emotion``), else the cheap
        screen of :mod:`kefu.assist.emotion` (cue words, no encoder) where it is sure.  A message with
        neither is *pending*: its verdict is unknown until the analysis process stores it, and the
        inspection says so (it is inspected again then)."""
        agents = self.indexes(AGENT)
        if not agents:
            return [], []
        upset: list[int] = []
        pending: list[int] = []
        for i in self.indexes(CUSTOMER):
            if i > agents[-1] or self.ack[i]:
                continue
            mood = self.messages[i].analysis or screened(self.messages[i].text)
            if mood is None:
                pending.append(i)
            elif mood.emotion == "angry" or (mood.emotion == "unhappy" and mood.score >= UNHAPPY_SCORE):
                upset.append(i)
        return upset, pending

    @property
    def upset(self) -> list[int]:
        """Indexes of customer messages whose analysis finds them clearly upset."""
        return self.moods[0]

    @property
    def pending(self) -> list[int]:
        """Indexes of customer messages that matter and have no analysis yet (nor a sure screen)."""
        return self.moods[1]


def screened(text: str) -> Mood | None:
    """The cheap screen's verdict on a message without a stored analysis, or None when it is unsure."""
    from kefu.assist.emotion import screen

    found = screen(text)
    return None if found is None else Mood(found.emotion, found.score, "screen")


# --- phrases -----------------------------------------------------------------------------------

_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
# A customer message that needs no answer: thanks, OK, bye (「好的谢谢」「嗯嗯」「收到」).
_ACK = re.compile(
    r"(?:好的?|好滴|好嘞|好吧|嗯|哦|噢|喔|恩|行|可以|ok|okay|谢谢[你您]?|多谢|感谢|谢啦|3q|再见|拜拜|88|"
    r"没有了|没了|没事了|没问题了?|知道了|明白了|收到了?|了解了?|亲|啦|呀|哈|的|了|呢)+"
)
_SOOTHE = re.compile(
    r"抱歉|对不起|不好意思|道歉|致歉|sorry|理解您|理解你|明白您|体谅|您别着急|别着急|先别急|您别急|别急|"
    r"消消气|别生气|请您放心|您放心|请放心|让您久等|久等了|给您添麻烦|添麻烦了|给您带来|辛苦您|遗憾|"
    r"请稍等.{0,6}(核实|查|看)|(马上|立刻|立即|这就)(为|给|帮)?您?(核实|处理|查|跟进|解决)|感谢您的耐心|心情"
)
_THANKS = re.compile(r"谢谢|感谢|多谢|谢啦|感恩|thank")
_AGENT_CLOSE = re.compile(
    r"再见|拜拜|\b88\b|祝您?.{0,8}(愉快|顺利|开心|快乐)|欢迎.{0,4}(再次|下次|再来)|(下次|再次)光临|期待.{0,4}(下次|再次)|"
    r"先这样|就这样吧|先下线|结束(本次)?(对话|会话|咨询|聊天)|不打扰您了|没有其他问题的话"
)
_CUSTOMER_CLOSE = re.compile(
    r"再见|拜拜|\b88\b|没有了|没事了|没问题了|没有(其他|别的)(问题|事)?了?|没别的|就这些|就这样|先这样|谢谢|多谢|感谢|谢啦"
)


def pending_detail(count: int) -> str:
    return ngettext(
        "The emotion analysis of %(n)d customer message is pending; inspected again once it is stored.",
        "The emotion analysis of %(n)d customer messages is pending; inspected again once they are stored.",
        count,
    ) % {"n": count}


def is_ack(folded: str) -> bool:
    bare = _PUNCT.sub("", folded)
    return not bare or (len(bare) <= 10 and _ACK.fullmatch(bare) is not None)


def first_sentence(folded: str) -> str:
    return re.split(r"[。！？!?\n；;~]", folded.strip(), maxsplit=1)[0][:60]


# --- the rules ---------------------------------------------------------------------------------


def greet_in_time(t: Transcript) -> Result:
    rule = "greet_in_time"
    if not t.live or not t.timed:
        return Result(rule, NA, _("Not a live chat with times."))
    agents = t.indexes(AGENT)
    customers = t.indexes(CUSTOMER)
    if not agents or not customers or (customers[0] > agents[0] and not t.indexes(BOT)):
        return Result(rule, NA, _("No agent greeting to time."))
    first_agent = agents[0]
    # After a bot hand-off the clock starts at the customer's first message after the bot's last.
    bots = [i for i in t.indexes(BOT) if i < first_agent]
    start = next((i for i in customers if i < first_agent and (not bots or i > bots[-1])), None)
    if start is None:
        start = bots[-1] if bots else None
    if start is None:
        return Result(rule, NA, _("No agent greeting to time."))
    seconds = (t.messages[first_agent].at - t.messages[start].at).total_seconds()  # type: ignore[operator]
    if seconds > GREET_SECONDS:
        return Result(
            rule,
            FAIL,
            _("The first agent message came after %(s)d s (target %(t)d s).") % {"s": seconds, "t": GREET_SECONDS},
            first_agent,
        )
    return Result(rule, PASS, _("Greeted after %(s)d s.") % {"s": seconds}, first_agent)


def reply_in_time(t: Transcript) -> Result:
    rule = "reply_in_time"
    if not t.live or not t.timed:
        return Result(rule, NA, _("Not a live chat with times."))
    first_agent = next(iter(t.indexes(AGENT)), None)
    if first_agent is None:
        return Result(rule, NA, _("No agent took part."))
    waiting: int | None = None
    longest, at = 0.0, None
    measured = 0
    for i in range(first_agent + 1, len(t.messages)):
        m = t.messages[i]
        if m.author == CUSTOMER and waiting is None and not t.ack[i]:
            waiting = i
        elif m.author in (AGENT, BOT) and waiting is not None and m.text.strip():
            seconds = (m.at - t.messages[waiting].at).total_seconds()  # type: ignore[operator]
            measured += 1
            if seconds > longest:
                longest, at = seconds, waiting
            waiting = None
    if not measured:
        return Result(rule, NA, _("No answer to time after the greeting."))
    if longest > REPLY_SECONDS:
        return Result(
            rule,
            FAIL,
            _("A customer waited %(s)d s for an answer (at most %(t)d s).") % {"s": longest, "t": REPLY_SECONDS},
            at,
        )
    return Result(rule, PASS, _("The longest wait was %(s)d s.") % {"s": longest})


def no_forbidden(t: Transcript) -> Result:
    rule = "no_forbidden"
    agents = t.indexes(AGENT)
    if not agents:
        return Result(rule, NA, _("No agent message."))
    for i in agents:
        for v in t.lint(i):
            if v.severity in LINT_SEVERITIES:
                return Result(rule, FAIL, f"「{v.text}」 {v.message}"[:300], i)
    return Result(rule, PASS)


def soothe_first(t: Transcript) -> Result:
    """Each time the customer becomes upset, the agent's next message soothes or apologises in its
    first sentence (「非常抱歉…」「请稍等，我核实下」).  Once soothed, more upset messages of the same
    episode (「快点」) need no second apology; a calm customer message ends the episode."""
    rule = "soothe_first"
    upset = set(t.upset)
    if not upset:
        if t.pending:
            return Result(rule, NA, pending_detail(len(t.pending)), t.pending[0])
        return Result(rule, NA, _("The customer was not upset."))
    checked, soothed = 0, False
    for i in t.indexes(CUSTOMER):
        if i not in upset:
            if not t.ack[i]:
                soothed = False
            continue
        if soothed:
            continue
        reply = next(
            (j for j in range(i + 1, len(t.messages)) if t.messages[j].author == AGENT and t.messages[j].text.strip()),
            None,
        )
        if reply is None:
            continue
        checked += 1
        if not _SOOTHE.search(first_sentence(t.folded[reply])):
            return Result(rule, FAIL, _("The customer was upset and the next reply did not soothe first."), reply)
        soothed = True
    if not checked:
        return Result(rule, NA, _("No agent reply after the customer was upset."))
    return Result(rule, PASS)


def all_answered(t: Transcript) -> Result:
    rule = "all_answered"
    customers = [i for i in t.indexes(CUSTOMER) if not t.ack[i]]
    if not customers:
        return Result(rule, NA, _("No customer question."))
    answers = t.indexes(AGENT, BOT)
    last_answer = answers[-1] if answers else -1
    unanswered = [i for i in customers if i > last_answer]
    if unanswered:
        return Result(rule, FAIL, _("A customer message was left without an answer."), unanswered[0])
    return Result(rule, PASS)


def thanks_at_end(t: Transcript) -> Result:
    rule = "thanks_at_end"
    agents = t.indexes(AGENT)
    if not agents:
        return Result(rule, NA, _("No agent message."))
    if any(_THANKS.search(t.folded[i]) for i in agents[-2:]):
        return Result(rule, PASS)
    return Result(rule, FAIL, _("The agent did not thank the customer at the end."), agents[-1])


def not_first_to_close(t: Transcript) -> Result:
    rule = "not_first_to_close"
    agents = t.indexes(AGENT)
    if not agents:
        return Result(rule, NA, _("No agent message."))
    customer_close = next((i for i in t.indexes(CUSTOMER) if t.ack[i] or _CUSTOMER_CLOSE.search(t.folded[i])), None)
    for i in agents:
        if customer_close is not None and i > customer_close:
            break
        if _AGENT_CLOSE.search(t.folded[i]):
            return Result(rule, FAIL, _("The agent signalled the end before the customer did."), i)
    return Result(rule, PASS)


@dataclass(frozen=True)
class Rule:
    id: str
    name: Any
    weight: int
    check: Callable[[Transcript], Result]
    requirement: str


RULES: dict[str, Rule] = {
    r.id: r
    for r in (
        Rule("greet_in_time", gettext_lazy("Greet within 15 s"), 10, greet_in_time, "R5"),
        Rule("reply_in_time", gettext_lazy("No customer waits more than 20 s"), 15, reply_in_time, "R6"),
        Rule("no_forbidden", gettext_lazy("No forbidden or rude wording"), 25, no_forbidden, "R18"),
        Rule("soothe_first", gettext_lazy("Soothe an upset customer first"), 15, soothe_first, "R19/R31"),
        Rule("all_answered", gettext_lazy("Every message answered"), 15, all_answered, "R17"),
        Rule("thanks_at_end", gettext_lazy("Thank the customer at the end"), 10, thanks_at_end, "R17"),
        Rule("not_first_to_close", gettext_lazy("Not the first to end the chat"), 10, not_first_to_close, "R17"),
    )
}
