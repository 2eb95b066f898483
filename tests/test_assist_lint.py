"""Reply lint (R18): the seeds' forbidden behaviours — refusing directly, shirking responsibility, a
commanding tone, arguing, casual promises, blaming the customer, indifference — are flagged in drafts
nobody listed, in both scripts, with spans into the original text, the behaviour's name and a polite
alternative; polite replies (including legitimate policy promises) are not; the frozen test set meets
the targets (recall ≥ 95 %, false alarms ≤ 2 %)."""

from __future__ import annotations

import re

import pytest

from kefu.assist.choices import LintRule
from kefu.assist.lint import lint, lint_many, shipped_phrases
from kefu.assist.lint_bench import drafts, evaluate
from kefu.assist.models import ForbiddenPhrase
from kefu.assist.textspan import aligned_fold, to_traditional
from tests.factories_assist import ForbiddenPhraseFactory

pytestmark = pytest.mark.django_db

# The forbidden phrases of R18 (seeds 003 §9, 000, 004) as an agent would type them, with the behaviour each is.
R18 = [
    ("不知道", "indifferent"),
    ("这个问题和我们没关系", "shirking"),
    ("这种问题还要问吗？", "arguing"),
    ("我不是和你说过了，你怎么还不知道", "arguing"),
    ("我很忙，没时间回答你这些问题", "indifferent"),
    ("喂，说话呀！", "commanding"),
    ("喂，说吧！", "commanding"),
    ("你怎么用设备的！", "blaming"),
    ("你懂不懂设备的功能", "blaming"),
    ("不归我管", "shirking"),
    ("你自己看", "commanding"),
    ("没办法", "refusing"),
]

# Written for these tests (in neither data set): each breaks one behaviour without any listed phrase.
BEHAVIOURS = [
    ("不行，这个单子改不了。", "refusing"),
    ("退货办不到，商品已经拆了。", "refusing"),
    ("不可以，特价款概不退换。", "refusing"),
    ("这件事没办法的。", "refusing"),
    ("这不归我们售后管，你问销售。", "shirking"),
    ("你找快递去吧，包裹不是我们弄丢的。", "shirking"),
    ("电池鼓包是厂家的问题，跟我们没关系。", "shirking"),
    ("坏了你去找厂家，不关我们的事。", "shirking"),
    ("你必须今天下午之前付款。", "commanding"),
    ("你自己看订单详情。", "commanding"),
    ("你得先把旧机寄回来。", "commanding"),
    ("赶紧确认一下地址。", "commanding"),
    ("你说的不对，这个型号本来就没有遥控。", "arguing"),
    ("我都说了两遍了，要先申请。", "arguing"),
    ("你听不懂吗？这个不包安装。", "arguing"),
    ("你这是无理取闹，我们没发错。", "arguing"),
    ("保证明天上午送到您家。", "casual_promise"),
    ("肯定没问题，放心用十年。", "casual_promise"),
    ("绝对不会再出现这种情况了。", "casual_promise"),
    ("百分百能给您退全款。", "casual_promise"),
    ("你自己没看清楚型号。", "blaming"),
    ("是你操作不当把主板烧了。", "blaming"),
    ("谁让你不按说明书接线。", "blaming"),
    ("你怎么连充电都不会？", "blaming"),
    ("不知道，你等着吧。", "indifferent"),
    ("我很忙，你晚点再问。", "indifferent"),
    ("随便你，爱买不买。", "indifferent"),
    ("不清楚，物流上看不到。", "indifferent"),
]

# Polite, correct replies that must not be flagged: some hold a cue word in a polite construction
# (不知道您…, 一定帮您, 没办法…不过, 不是您操作不当), some are legitimate policy promises.
POLITE = [
    "我帮您查一下",
    "这个问题我来帮您确认",
    "不知道您方便提供一下订单号吗？",
    "我们保证会在24小时内回复您。",
    "我们保证收到退货后48小时内完成退款审核。",
    "本店承诺七天无理由退换，运费险由我们承担。",
    "您稍等，我马上为您处理",
    "不知道您现在方便接电话吗？",
    "如果您不知道型号，我帮您查",
    "我们一定会尽快为您处理",
    "您放心，我一定帮您跟进到底",
    "今天下班前一定给您答复。",
    "您肯定很着急，真的很抱歉。",
    "我帮您想想办法",
    "一般3到5天送到，我会帮您盯着物流",
    "预计明天送达，具体以快递实际派送为准。",
    "不一定明天能到，我帮您催一下仓库",
    "麻烦您提供一下照片，谢谢您的配合",
    "我帮您联系快递核实一下",
    "亲，您别着急，我来处理",
    "这款一定要注意防水哦",
    "您说的问题我清楚了，马上给您答复",
    "尊敬的顾客您好！欢迎咨询，我是客服小美，很高兴为您服务！",
    "非常抱歉，已经出库的订单暂时没办法修改地址，我这边马上帮您联系快递拦截改派，您看可以吗？",
    "很抱歉，活动价和优惠券不能叠加，不过我可以帮您申请一张店铺券。",
    "非常抱歉，确实是我们的问题，不是您操作不当。",
    "这属于厂家质保范围，我帮您联系厂家安排上门，您不用自己跑。",
    "这个我确实不太清楚，我马上去问一下同事再回复您。",
    "没问题，我这就帮您改备注。",
    "为了您的账户安全，请您不要把验证码告诉任何人。",
    "这件衣服是100%纯棉的。",
    "好的，已为您备注，今天下午发顺丰",
]


def _in_script(text: str, script: str) -> str:
    return text if script == "zh-Hans" else to_traditional(text)


@pytest.mark.parametrize(("text", "rule"), R18)
@pytest.mark.parametrize("script", ["zh-Hans", "zh-Hant"])
def test_every_forbidden_phrase_of_r18_is_flagged_in_both_scripts(text, rule, script):
    # Given a draft with a forbidden phrase, in Simplified or Traditional characters,
    draft = _in_script(text, script)
    # when it is linted,
    found = lint(f"亲，{draft}")
    # then an error names the phrase's behaviour, its span points into the original text, inside the phrase,
    assert found, draft
    first = found[0]
    assert first.severity == "error"
    assert first.rule == rule
    assert first.start >= 2
    assert first.text == f"亲，{draft}"[first.start : first.end]
    assert first.text in draft
    # and it carries a suggestion.
    assert first.suggestion


@pytest.mark.parametrize(("text", "rule"), BEHAVIOURS)
@pytest.mark.parametrize("script", ["zh-Hans", "zh-Hant"])
def test_each_behaviour_is_caught_beyond_the_phrase_list(text, rule, script):
    # Given a draft that breaks one behaviour in words no phrase lists,
    draft = _in_script(text, script)
    # when linted with no phrase list at all,
    found = lint(draft, phrases=[])
    # then that behaviour is named.
    assert rule in {v.rule for v in found}, (draft, [(v.rule, v.text) for v in found])


@pytest.mark.parametrize("text", POLITE)
def test_polite_replies_are_not_flagged(text):
    # Given a polite reply (some contain 不知道/一定/保证/办法 in a polite construction),
    # when it is linted with the shipped phrases, then nothing is flagged, in either script.
    assert lint(text) == []
    assert lint(to_traditional(text)) == []


@pytest.mark.parametrize(("text", "rule"), R18 + BEHAVIOURS)
def test_every_finding_names_its_behaviour_and_offers_a_zh_hans_alternative(text, rule):
    # Given a Simplified draft, when linted, then each finding names a known behaviour (its label),
    # says so in its message, and suggests polite Chinese wording in Simplified characters.
    for v in lint(text):
        assert v.rule in LintRule.values
        assert v.behaviour == str(LintRule(v.rule).label)
        assert v.message
        assert re.search(r"[\u4e00-\u9fff]", v.suggestion), v
        assert _simplified(v.suggestion), v.suggestion


def _simplified(text: str) -> bool:
    folded = aligned_fold(text)
    return all(a == b for a, b in zip(text, folded, strict=True) if "\u4e00" <= a <= "\u9fff")


def test_suggestions_follow_a_traditional_draft():
    # Given a Traditional draft, when linted, then the suggestion is in Traditional characters too.
    (v,) = lint("這不歸我們管。")
    assert v.rule == "shirking"
    assert v.suggestion == to_traditional(v.suggestion)
    assert not _simplified(v.suggestion)


def test_a_commanding_clause_gets_its_own_polite_rewrite():
    # Given an order, when linted, then the suggestion asks for the same thing politely and its span
    # covers the clause, so the composer can put it in place.
    text = "你必须先把照片发过来，我们再处理。"
    (v,) = lint(text)
    assert v.rule == "commanding"
    assert v.text == "你必须先把照片发过来"
    assert v.suggestion == "麻烦您先把照片发过来，谢谢"


def test_spans_are_offsets_into_traditional_and_full_width_text():
    # Given a Traditional draft with full-width and compatibility characters before the phrase,
    text = "㈱ＡＢ，這種問題還要問嗎？我很忙"
    # when linted,
    found = lint(text)
    # then the spans cover exactly the words in the original string, and the suggestion is Traditional.
    arguing = next(v for v in found if v.rule == "arguing")
    assert text[arguing.start : arguing.end] == arguing.text == "這種問題還要問嗎"
    assert "詳細" in arguing.suggestion
    busy = next(v for v in found if v.rule == "indifferent")
    assert text[busy.start : busy.end] == "我很忙"


def test_the_list_is_configurable():
    # Given an administrator adds a phrase and deactivates another,
    ForbiddenPhraseFactory(phrase="这是规定", suggestion="根据我们的售后政策……")
    ForbiddenPhraseFactory(phrase="亲爱的", suggestion="您好")
    ForbiddenPhrase.objects.filter(phrase="亲爱的").update(is_active=False)
    # when drafts are linted,
    added = lint("这是規定")
    removed = lint("亲爱的，您好")
    # then the new phrase is flagged (both scripts) and the deactivated one is not.
    assert [v.rule for v in added] == ["forbidden_phrase"]
    assert added[0].suggestion.startswith("根據")
    assert removed == []


def test_rows_installed_before_behaviours_get_their_behaviour_name():
    # Given the shipped phrase 不知道 stored with the generic rule of an older install,
    ForbiddenPhrase.objects.filter(phrase="不知道").update(rule="forbidden_phrase")
    # when a draft with it is linted, then the finding names the behaviour anyway.
    (v,) = lint("不知道。")
    assert v.rule == "indifferent"


def test_lint_many_reads_the_list_once_and_agrees_with_lint(django_assert_num_queries):
    texts = ["不知道", "我帮您查一下", "你自己看"]
    with django_assert_num_queries(1):
        many = lint_many(texts)
    assert many == [lint(t) for t in texts]


def test_empty_and_clean_drafts():
    # Given empty or clean text, when linted, then there is nothing to report.
    assert lint("") == []
    assert lint("   ") == []
    assert lint("好的，已为您备注，今天下午发顺丰") == []


def test_data_sets_are_apart_and_large_enough():
    # The frozen test set and the dev set share no draft; each has enough bad and clean drafts over
    # all seven behaviours and both scripts.
    test, dev = drafts("test"), drafts("dev")
    assert not {r["text"] for r in test} & {r["text"] for r in dev}
    for rows in (test, dev):
        assert sum(1 for r in rows if r["expected"]) >= 120
        assert sum(1 for r in rows if not r["expected"]) >= 230
        labels = {label for r in rows for label in r["expected"]}
        assert labels == {"refuse", "shirk", "command", "argue", "promise", "blame", "indifference"}
        assert {r["script"] for r in rows} == {"hans", "hant"}


def test_frozen_test_set_meets_the_targets():
    # Given the test drafts, written and committed before the lint was tuned (and never tuned on),
    figures = evaluate("test", phrases=shipped_phrases())
    # then the lint catches at least 95 % of the bad drafts with one of their behaviours, and flags at
    # most 2 % of the polite replies.
    assert figures["bad_drafts"] >= 120
    assert figures["clean_replies"] >= 250
    assert figures["recall"] >= 0.95, figures["recall"]
    assert figures["false_alarm_rate"] <= 0.02, figures["false_alarm_rate"]


def test_fast_scanners_find_only_what_the_rules_find():
    from kefu.assist.lint_rules import RULES, _distribute, scanners

    # Given the rewrite that lets `re` skip to candidate characters,
    assert _distribute("(你|您)说") == ["你说", "您说"]
    assert _distribute("(?<!能)不能") == ["不(?<!能不)能"]
    assert _distribute("(我)?赔(你|您)") == ["我赔(你|您)", "赔(你|您)"]
    assert _distribute(r"(^|(?<=[,，]))快") is None
    # then on every dev draft, each scanner match is a match of its rule's own pattern at that position.
    for row in drafts("dev"):
        folded = aligned_fold(row["text"])
        for rule in RULES:
            for part in scanners(rule.regex):
                for m in part.finditer(folded):
                    assert rule.regex.match(folded, m.start()), (rule.rule, folded, m.group(0))
