"""The cue lexicon: words and marks in a customer's message that signal anger or an escalation.

Patterns are written in Simplified Chinese and matched on the folded text
(:func:`kefu.assist.textspan.aligned_fold`), so Traditional input 「我要投訴」 and full-width digits
「１２３１５」 match too.  The lexicon is data, not a msgid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kefu.assist.textspan import aligned_fold

# Threats to escalate (complaint cues): the canonical cue, then the pattern that finds it.
THREATS: tuple[tuple[str, str], ...] = (
    ("12315", r"(?<!\d)12315(?!\d)"),
    (
        "经理",
        r"(叫|找|让|喊|要|请|换)(个|一个)?(你们|你家|你)?(的)?(经理|领导|主管|负责人|老板|店长|上级|管事的"
        r"|能做主的|说了算的|说得上话的)",
    ),
    ("退一赔三", r"退一赔三|假一赔三|假一赔十"),
    ("投诉", r"投诉(?!建议)|申诉|(平台|小二|官方)介入|申请介入|找平台"),
    ("曝光", r"曝光"),
    ("差评", r"差评|一星|1星|零分"),
    ("律师", r"律师|起诉|法院|打官司|告(你们|到)|法律途径"),
    ("媒体", r"媒体|记者|电视台|微博|抖音|小红书|发帖|网上说"),
    ("消协", r"消协|消费者协会|消保委"),
    ("工商", r"工商|市场监管|监管局|市监局"),
    ("举报", r"举报"),
    ("报警", r"报警|(?<!\d)110(?!\d)|警察"),
    ("315", r"(?<!\d)315(?!\d)|黑猫"),
    ("维权", r"维权"),
)

# Anger: insults, exasperation, demands with an ultimatum.
ANGER: tuple[str, ...] = (
    r"气死|(?<!空)气炸|火大|生气|愤怒|恼火",
    r"太过分|过分了|欺人太甚|忍无可忍|受够了|够了",
    r"垃圾|破玩意|什么破|破东西|破店|黑店|奸商|坑人|坑爹|坑钱|太坑|真坑|好坑|坑死|骗子|骗人|骗钱|诈骗|欺骗|忽悠|耍我|耍人",
    r"他妈|(?<!妈)妈的|tmd|尼玛|卧槽|我靠|操你|去死|滚(?![筒动轮珠烫水蛋])|shit|fuck|wtf",
    r"恶心|无耻|不要脸|没良心|丧良心|什么态度|态度(太|真|很)?(差|恶劣)",
    r"凭什么|搞什么|搞什么鬼|什么玩意|到底(想|要|还要)?怎么样|有完没完|你们是死人",
    r"(马上|立刻|立即|赶紧)给我|(今天|马上)不.{0,6}就|再不.{0,8}(就|我)",
    r"退钱|还钱|赔钱|必须赔",
    r"(没|有没有|丧)良心|良心(不会)?(痛|坏)|摆设|别(跟|和)我(扯|废话)|检举|投诉你|告你|等着瞧",
    r"无语|醉了|服了",
    r"有病|神经病|脑子(有病|进水|有问题|坏了)|智障|白痴|弱智|废物|混蛋|王八蛋|傻逼|傻[bx]|煞笔|狗屁|放屁|扯淡|胡说八道|睁眼说瞎话",
    r"(是)?聋了|(是)?瞎了|眼瞎|装傻|装死|装聋作哑|耍无赖|耍赖|耍流氓|流氓|强盗|土匪|缺德|黑心|吃相难看",
    r"欺诈|虚假宣传|霸王条款|欺负人|好欺负|迟早倒闭|早点倒闭|关门(算了|吧)",
    r"(给|讨)(我)?(个|一个)?(说法|交代)|后果自负|走着瞧|别逼我|没完|你们等着",
    r"烂透|烂到家|差到极点|差到爆|最差的一次",
)

# Dissatisfaction without anger.
UNHAPPY: tuple[str, ...] = (
    r"失望|不满意|不满|不开心|郁闷|难受|闹心|(?<!麻)烦|心累|后悔|遗憾|伤心|担心|不放心|不合理|不公平|不舒服",
    r"太慢|好慢|这么慢|慢死|太久|这么久|那么久|半天|好几天|一个星期|一周了|几天了|多少天",
    r"怎么还没|还没(有)?(到|发|收到|发货|出货|回复|处理|退|给|来)|一直(没|不)|迟迟|没人(理|回|管|接|处理)|不理人|不回(复|消息)?|都没(来|到|人)|不动|没(有)?(动静|更新|反应)",
    r"坏了|破了|破损|碎了|裂了|漏了|少了|少发|漏发|发错|错发|不对|有问题|有瑕疵|划痕|掉色|起球|变形|异味|不好用|不能用|用不了|没法用|不工作|开不了机|失灵|质量(太|真|很)?(差|不好|不行)|假货|次品|二手",
    r"催|(?<![不别])着急|急用|急死|等不及|怎么回事|怎么搞的|什么情况|怎么又|为什么又|又一次|又要我|说好的.{0,8}呢",
    r"麻烦死|很麻烦|太麻烦|不方便|为难|被坑|上当|亏了|不值|货不对板|跟描述不符|与描述不符|和图片不一样|(跟|和|与)(图片|描述|页面|宣传)(上)?(不一样|不符|差)|差(太多|很多|好多)|不(稳定|齐|全|灵|准)|(有|带)(杂音|噪音|异响)|褪色|掉色|松动|(有点|太|很)松|第[二三四五几\d]+次(了|出|坏|发错)",
    r"不行|不好|差劲|糟糕|一般般|不怎么样|不推荐|别买",
)

_EXCLAIM = re.compile(r"[!！]{2,}|[?？]{2,}|[?？][!！]|[!！][?？]")
_ELLIPSIS = re.compile(r"。{3,}|\.{3,}|…{2,}")


@dataclass(frozen=True)
class Cues:
    """What the lexicon found in one message."""

    threats: list[str]
    anger: list[str]
    unhappy: list[str]
    exclamations: int
    ellipses: int

    @property
    def all(self) -> list[str]:
        marks = (["！！"] if self.exclamations else []) + (["。。。"] if self.ellipses else [])
        return _unique(self.threats + self.anger + self.unhappy + marks)


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


_THREAT_RE = re.compile("|".join(f"(?P<t{i}>{pattern})" for i, (_, pattern) in enumerate(THREATS)))
_ANGER_RE = re.compile("|".join(ANGER))
_UNHAPPY_RE = re.compile("|".join(UNHAPPY))
_NEGATED = re.compile(r"(不会|不用|不想|不要|不打算|没想|没有|无需|不必|别|不|没)(给|打|去|找|说|写)?(你们)?(个)?$")


def _threats(folded: str) -> list[str]:
    found = []
    for match in _THREAT_RE.finditer(folded):
        before = folded[max(0, match.start() - 6) : match.start()]
        if _NEGATED.search(before) and not re.search(r"(?<!不)要|就", before):
            continue  # 「不会给差评」「不用投诉」: mentioned, not threatened
        index = int(next(name for name, value in match.groupdict().items() if value is not None)[1:])
        found.append(THREATS[index][0])
    return _unique(found)


def find(text: str) -> Cues:
    """All cues of ``text`` (any script)."""
    folded = aligned_fold(text)
    return Cues(
        threats=_threats(folded),
        anger=_unique([m.group(0) for m in _ANGER_RE.finditer(folded)]),
        unhappy=_unique([m.group(0) for m in _UNHAPPY_RE.finditer(folded)]),
        exclamations=len(_EXCLAIM.findall(text)),
        ellipses=len(_ELLIPSIS.findall(text)),
    )


def complaint_cues(text: str) -> list[str]:
    """Threats to escalate in ``text``: canonical Simplified cues in order of appearance
    (「投诉」「12315」「曝光」「差评」「律师」「退一赔三」「媒体」「消协」 …)."""
    return _threats(aligned_fold(text))
