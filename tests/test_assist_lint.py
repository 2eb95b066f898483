"""Reply lint (R18): forbidden phrases in both scripts, commanding tone, shirking, casual promises and
rude words are flagged with correct spans; polite counterparts are not."""

from __future__ import annotations

import pytest

from kefu.assist.lint import lint
from kefu.assist.models import ForbiddenPhrase
from kefu.assist.textspan import to_traditional
from tests.factories_assist import ForbiddenPhraseFactory

pytestmark = pytest.mark.django_db

# The forbidden phrases of R18 (seeds 003 §9, 000, 004) as an agent would type them.
R18 = [
    "不知道",
    "这个问题和我们没关系",
    "这种问题还要问吗？",
    "我不是和你说过了，你怎么还不知道",
    "我很忙，没时间回答你这些问题",
    "喂，说话呀！",
    "喂，说吧！",
    "你怎么用设备的！",
    "你懂不懂设备的功能",
    "不归我管",
    "你自己看",
    "没办法",
]

POLITE = [
    "我帮您查一下",
    "这个问题我来帮您确认",
    "您稍等，我马上为您处理",
    "不知道您现在方便接电话吗？",
    "如果您不知道型号，我帮您查",
    "我们一定会尽快为您处理",
    "您放心，我一定帮您跟进到底",
    "我帮您想想办法",
    "一般3到5天送到，我会帮您盯着物流",
    "不一定明天能到，我帮您催一下仓库",
    "麻烦您提供一下照片，谢谢您的配合",
    "我帮您联系快递核实一下",
    "亲，您别着急，我来处理",
    "这款一定要注意防水哦",
    "您说的问题我清楚了，马上给您答复",
    "尊敬的顾客您好！欢迎咨询，我是客服小美，很高兴为您服务！",
]


@pytest.mark.parametrize("text", R18)
@pytest.mark.parametrize("script", ["zh-Hans", "zh-Hant"])
def test_every_forbidden_phrase_of_r18_is_flagged_in_both_scripts(text, script):
    # Given a draft with a forbidden phrase, in Simplified or Traditional characters,
    draft = text if script == "zh-Hans" else to_traditional(text)
    # when it is linted,
    found = lint(f"亲，{draft}")
    # then the phrase is flagged as an error whose span points at the phrase in the original text.
    assert found, draft
    first = found[0]
    assert first.severity == "error"
    assert first.start == 2
    assert first.text == f"亲，{draft}"[first.start : first.end]
    assert draft.rstrip("！？!?").startswith(first.text) or first.text in draft
    assert first.suggestion


@pytest.mark.parametrize("text", POLITE)
def test_polite_counterparts_are_not_flagged(text):
    # Given a polite reply (some contain 不知道/一定/办法 in a polite construction),
    # when it is linted, then nothing is flagged, in either script.
    assert lint(text) == []
    assert lint(to_traditional(text)) == []


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("你必须今天把钱付了", "commanding"),
        ("快点下单，不然没货了", "commanding"),
        ("别再催了", "commanding"),
        ("这不是我们的问题", "shirking"),
        ("你去找快递吧", "shirking"),
        ("我也不清楚", "shirking"),
        ("保证明天到", "casual_promise"),
        ("放心，肯定能收到", "casual_promise"),
        ("百分之百到账", "casual_promise"),
        ("包您满意", "casual_promise"),
        ("你是不是傻", "rude"),
        ("跟你说了多少遍了", "rude"),
        ("爱买不买", "rude"),
    ],
)
def test_rules_beyond_the_phrase_list(text, rule):
    # Given a draft that breaks one rule, when linted, then that rule is named.
    assert rule in {v.rule for v in lint(text)}


def test_spans_are_offsets_into_traditional_and_full_width_text():
    # Given a Traditional draft with full-width and compatibility characters before the phrase,
    text = "㈱ＡＢ，這種問題還要問嗎？我很忙"
    # when linted,
    (violation,) = [v for v in lint(text) if v.rule == "rude"]
    # then the span covers exactly the phrase in the original string, and the suggestion is Traditional.
    assert text[violation.start : violation.end] == "這種問題還要問嗎"
    assert violation.text == "這種問題還要問嗎"
    assert "詳細" in violation.suggestion


def test_the_list_is_configurable():
    # Given an administrator adds a phrase and deactivates another,
    ForbiddenPhraseFactory(phrase="这是规定", suggestion="根据我们的售后政策……")
    ForbiddenPhrase.objects.filter(phrase="不知道").update(is_active=False)
    # when drafts are linted,
    added = lint("这是規定")
    removed = lint("不知道")
    # then the new phrase is flagged (both scripts) and the deactivated one is not.
    assert [v.rule for v in added] == ["forbidden_phrase"]
    assert added[0].suggestion.startswith("根據")
    assert removed == []


def test_empty_and_clean_drafts():
    # Given empty or clean text, when linted, then there is nothing to report.
    assert lint("") == []
    assert lint("   ") == []
    assert lint("好的，已为您备注，今天下午发顺丰") == []
