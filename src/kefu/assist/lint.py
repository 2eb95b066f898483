"""Reply lint: check an agent's draft against the service standards (R18) before it is sent.

Rules: the configurable forbidden phrases (:class:`kefu.assist.models.ForbiddenPhrase`), commanding
tone, shirking responsibility, casual promises about outcomes not in our control, rude words.  Matching
runs on the folded draft (:func:`~kefu.assist.textspan.aligned_fold`), so a Traditional draft is checked
by the same Simplified patterns and every span is an offset into the original text.  Polite counterparts
(「我帮您查一下」「不知道您方便吗」) are carved out explicitly.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kefu.assist.choices import LintRule, Severity
from kefu.assist.textspan import aligned_fold, is_traditional, to_traditional


@dataclass(frozen=True)
class Violation:
    start: int
    end: int
    text: str
    rule: str
    severity: str
    message: str
    suggestion: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Phrase:
    phrase: str
    rule: str
    severity: str
    suggestion: str
    reason: str = ""


@dataclass(frozen=True)
class _Pattern:
    rule: LintRule
    severity: Severity
    regex: re.Pattern[str]
    message: Promise
    suggestion: str


_CLAUSE = r"[^，。！？,.!?；;\n]"

PATTERNS: tuple[_Pattern, ...] = (
    _Pattern(
        LintRule.COMMANDING,
        Severity.WARNING,
        re.compile(r"(?<![我帮])(你|您)(必须|给我|赶紧|快点|马上给我|最好给我|听好|听清楚)"),
        _("Commanding tone: ask the customer, do not order them."),
        "麻烦您……，谢谢您的配合",
    ),
    _Pattern(
        LintRule.COMMANDING,
        Severity.WARNING,
        re.compile(r"(?:^|(?<=[，。！？,.!?；;\s]))(快点|赶紧|赶快)(?!(为|帮|给)您)"),
        _("Commanding tone: ask the customer, do not order them."),
        "麻烦您……，谢谢您的配合",
    ),
    _Pattern(
        LintRule.COMMANDING,
        Severity.WARNING,
        re.compile(r"(不要|别)再?(问|催|说|吵|发)了|(听|看)(清楚|明白)了?没有?|说话(呀|啊)|照我说的(做|办)"),
        _("Commanding tone: ask the customer, do not order them."),
        "您别着急，我来帮您处理",
    ),
    _Pattern(
        LintRule.SHIRKING,
        Severity.ERROR,
        re.compile(
            r"不(是|归)(我|我们)(的)?(负责|管|问题|责任|错)|(跟|和|与)(我|我们)(公司)?没(有)?(关系|关)|"
            r"不关(我|我们)(的)?事|管不了|无能为力|那是(你|您)(自己)?的(问题|事)|这是(你|您)(自己)?的(问题|事)|"
            r"(?<![帮替])(你|您)?(自己)?去?(找|问)(快递|厂家|别人|其他人|别的部门|平台|商家)(去|吧|问问?)"
        ),
        _("Shirking responsibility: take the problem on and say what you will do."),
        "这个问题我来帮您确认，再给您答复",
    ),
    _Pattern(
        LintRule.SHIRKING,
        Severity.WARNING,
        re.compile(r"(我|我们)也?不(太)?(清楚|了解|懂)|(?<![想有])没(有)?(办法|法子)"),
        _("Shirking responsibility: take the problem on and say what you will do."),
        "我帮您查一下，稍后给您准确答复",
    ),
    _Pattern(
        LintRule.CASUAL_PROMISE,
        Severity.WARNING,
        re.compile(
            r"(?<!不)(保证|肯定|一定|绝对|百分之?百|100%|打包票|包(你|您))"
            rf"(?P<mid>{_CLAUSE}{{0,8}}?)"
            r"(到货|到账|送到|收到|到|退款|退回|没问题|没有问题|不会|修好|解决|满意|能|可以|成功|发出|发货|赔)"
        ),
        _("Casual promise: do not promise an outcome that is not in our control."),
        "一般情况下……，我会帮您持续跟进",
    ),
    _Pattern(
        LintRule.RUDE,
        Severity.ERROR,
        re.compile(
            r"笨|蠢|白痴|弱智|脑子(有病|进水|坏)|有病|神经病|(?<![傻])傻(?![眼])|瞎(了|吗)|滚|去死|闭嘴|废话|"
            r"烦不烦|有完没完|懂不懂|听不懂|看不懂吗|不识字|(跟|和)(你|您)说(过|了)(多少|几)遍|"
            r"你怎么(回事|搞的|这么)|关我(什么|屁)事|爱(买|要)不(买|要)|(还|都)要问|你们这些顾客"
        ),
        _("Rude words: never blame or belittle the customer."),
        "可能我没说清楚，我再给您说明一下",
    ),
)

# Polite counterparts that contain a flagged word: a violation inside one of these is dropped.
POLITE: tuple[re.Pattern[str], ...] = (
    re.compile(r"不知道(您|你|亲|是否|能否|可否|方不方便|方便|有没有|还有)"),
    re.compile(r"(您|你|亲|客户)(可能|如果|要是|若)?不知道"),
    re.compile(r"(一定|肯定|保证|绝对)(会)?(帮|为|给|替|跟|尽|努力|认真|及时|第一时间|把|会尽|给您|核实|查|处理)"),
    re.compile(r"(我|我们)(会|将)?(帮|为|给)(您|你)(想|找)(办法|法子)"),
    re.compile(r"您(必须|给我)?(别|不要)着急|请您放心|您放心"),
)

_PUNCT = re.compile(r"[\s\W_]")


@lru_cache(maxsize=256)
def _phrase_regex(phrase: str) -> re.Pattern[str]:
    """The phrase as typed in either script, with Taiwan wording too (设备 → 裝置 folds to 装置),
    tolerating other punctuation and spaces between its characters."""
    variants = dict.fromkeys([aligned_fold(phrase), aligned_fold(to_traditional(phrase))])
    return re.compile("|".join(_loose(v) for v in variants))


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


def configured_phrases() -> list[Phrase]:
    """The active forbidden phrases an administrator keeps in the admin."""
    from kefu.assist.models import ForbiddenPhrase

    return [
        Phrase(phrase=row.phrase, rule=row.rule, severity=row.severity, suggestion=row.suggestion, reason=row.reason)
        for row in ForbiddenPhrase.objects.filter(is_active=True)
    ]


def _polite_spans(folded: str) -> list[tuple[int, int]]:
    return [m.span() for pattern in POLITE for m in pattern.finditer(folded)]


def _inside(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(start <= span[0] and span[1] <= end for start, end in spans)


def _phrase_message(phrase: Phrase) -> str:
    if phrase.reason:
        return str(_("Forbidden phrase: %(reason)s") % {"reason": phrase.reason})
    return str(_("Forbidden phrase of the service standards."))


def lint(text: str, *, phrases: list[Phrase] | None = None) -> list[Violation]:
    """Violations of the service standards in an agent's draft, ordered by position.

    ``phrases`` defaults to the configured list (a database read)."""
    if not text.strip():
        return []
    folded = aligned_fold(text)
    polite = _polite_spans(folded)
    traditional = is_traditional(text)
    found: list[Violation] = []
    taken: list[tuple[int, int]] = []

    def add(start: int, end: int, rule: str, severity: str, message: str, suggestion: str) -> None:
        if end <= start or _inside((start, end), polite) or _overlaps((start, end), taken):
            return
        taken.append((start, end))
        if traditional and suggestion:
            suggestion = to_traditional(suggestion)
        found.append(Violation(start, end, text[start:end], rule, severity, message, suggestion))

    for phrase in sorted(phrases if phrases is not None else configured_phrases(), key=lambda p: -len(p.phrase)):
        for match in _phrase_regex(phrase.phrase).finditer(folded):
            add(*match.span(), phrase.rule, phrase.severity, _phrase_message(phrase), phrase.suggestion)
    for pattern in PATTERNS:
        for match in pattern.regex.finditer(folded):
            if pattern.rule == LintRule.CASUAL_PROMISE and re.search(r"帮|为|尽|努力|跟进", match.group("mid")):
                continue
            add(*match.span(), pattern.rule.value, pattern.severity.value, str(pattern.message), pattern.suggestion)
    return sorted(found, key=lambda v: (v.start, v.end))


def _overlaps(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in spans)


def blocking(violations: list[Violation], severities: list[str]) -> list[Violation]:
    """The violations whose severity an administrator chose to block sending."""
    return [v for v in violations if v.severity in severities]
