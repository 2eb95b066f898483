"""Each shipped quality rule: a pass, a fail and (where it applies) n/a, in Simplified and
Traditional characters; custom keyword / regex rules; the weighted score."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kefu.core.errors import ValidationFailed
from kefu.quality import engine
from kefu.quality.rules import RULES, Mood, Msg, Transcript

pytestmark = pytest.mark.django_db
START = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
A, C, B = "agent", "customer", "bot"


def t(*lines, channel="web_chat"):
    return Transcript(channel, [Msg(a, text, START + timedelta(seconds=s)) for a, s, text in lines])


def status(rule, transcript):
    # An unstored transcript is analysed first, as the analysis process would store it.
    return RULES[rule].check(engine.with_analysis(transcript)).status


CASES = {
    "greet_in_time": [
        ("pass", t((C, 0, "在吗"), (A, 10, "您好，在的"))),
        ("fail", t((C, 0, "在嗎"), (A, 31, "您好，在的"))),
        ("n/a", t((C, 0, "在吗"), (A, 600, "您好"), channel="email")),
        ("n/a", t((C, 0, "在吗"), (B, 1, "您好，我是机器人"))),
    ],
    "reply_in_time": [
        ("pass", t((C, 0, "你好"), (A, 5, "您好"), (C, 10, "有貨嗎"), (A, 25, "有的"))),
        ("fail", t((C, 0, "你好"), (A, 5, "您好"), (C, 10, "有货吗"), (A, 45, "有的"))),
        ("n/a", t((C, 0, "你好"), (A, 5, "您好"), (C, 10, "好的"))),
    ],
    "no_forbidden": [
        ("pass", t((C, 0, "我要退货"), (A, 5, "您好，不知道您方便提供一下订单号吗？"))),
        ("pass", t((C, 0, "我要退貨"), (A, 5, "您好，不知道您方便提供一下訂單號嗎？"))),
        ("fail", t((C, 0, "到哪了"), (A, 5, "不知道"))),
        ("fail", t((C, 0, "壞了"), (A, 5, "這個問題和我們沒關係"))),
        ("fail", t((C, 0, "在吗"), (A, 5, "我很忙，没时间回答你这些问题"))),
        ("n/a", t((C, 0, "在吗"), (B, 1, "不知道"))),
    ],
    "soothe_first": [
        ("pass", t((C, 0, "你们发错货了，太气人了！"), (A, 5, "非常抱歉给您带来不便！我马上为您核实。"))),
        ("pass", t((C, 0, "你們發錯貨了，太氣人了！"), (A, 5, "非常抱歉給您帶來不便！我馬上為您核實。"))),
        ("fail", t((C, 0, "你们发错货了，太气人了！"), (A, 5, "请提供订单号。"))),
        # the apology must come first, not after the business
        ("fail", t((C, 0, "氣死我了，東西摔壞了！"), (A, 5, "請提供訂單號。抱歉。"))),
        ("n/a", t((C, 0, "请问有货吗"), (A, 5, "有的"))),
    ],
    "all_answered": [
        ("pass", t((C, 0, "有货吗"), (A, 5, "有的"), (C, 10, "好的谢谢"))),
        ("fail", t((C, 0, "有貨嗎"), (A, 5, "有的"), (C, 10, "保修多久？"))),
        ("n/a", t((C, 0, "好的"), (A, 5, "感谢您"))),
    ],
    "thanks_at_end": [
        ("pass", t((C, 0, "好的"), (A, 5, "感謝您的支持！"))),
        ("pass", t((C, 0, "好的"), (A, 5, "谢谢您"), (A, 6, "有问题随时找我"))),
        ("fail", t((C, 0, "好的"), (A, 5, "嗯"))),
        ("n/a", t((C, 0, "好的"), (B, 5, "嗯"))),
    ],
    "not_first_to_close": [
        ("pass", t((C, 0, "好的，谢谢，再见"), (A, 5, "感谢您，再见！"))),
        ("pass", t((C, 0, "有货吗"), (A, 5, "有的"))),
        ("fail", t((C, 0, "有貨嗎"), (A, 5, "有的，沒有其他問題的話，再見！"))),
        ("n/a", t((C, 0, "有货吗"), (B, 5, "再见"))),
    ],
}


@pytest.mark.parametrize(
    ("rule", "expected", "transcript"),
    [(rule, expected, tr) for rule, cases in CASES.items() for expected, tr in cases],
    ids=[f"{rule}-{i}-{expected}" for rule, cases in CASES.items() for i, (expected, _t) in enumerate(cases)],
)
def test_rule(rule, expected, transcript):
    # Given a transcript, when the rule judges it, then it passes, fails or does not apply.
    assert status(rule, transcript) == expected


def test_a_fail_points_at_the_message():
    result = RULES["no_forbidden"].check(t((C, 0, "到哪了"), (A, 5, "您好"), (C, 8, "单号123"), (A, 10, "不知道")))
    assert result.message_index == 3
    assert "不知道" in result.detail


def test_custom_keyword_and_regex_rules_and_the_weighted_score():
    class Rule:
        def __init__(self, key, kind, pattern, mode):
            self.key, self.kind, self.pattern, self.mode = key, kind, pattern, mode

    transcript = t((C, 0, "在吗"), (A, 5, "您好，工號1024為您服務，親"), (C, 8, "好的"), (A, 10, "感谢您"))
    specs = [
        engine.RuleSpec("greet_in_time", 10),
        engine.RuleSpec("no_slang", 20, custom=Rule("no_slang", "keyword", "亲\n宝宝", "must_not")),
        engine.RuleSpec("job_number", 30, custom=Rule("job_number", "regex", r"工号\d{3,}", "must")),
    ]
    # Given a keyword rule against 亲 and a regex rule requiring a job number (Traditional text folds),
    outcome = engine.run(transcript, specs)
    got = {r.rule: r.status for r, _w in outcome.checks}
    # then the keyword rule fails, the regex rule passes, and the score weighs them: 40 of 60.
    assert got == {"greet_in_time": "pass", "no_slang": "fail", "job_number": "pass"}
    assert outcome.score == round(100 * 40 / 60)
    # and an invalid expression is refused with a clear error.
    with pytest.raises(ValidationFailed):
        engine.compile_custom("regex", "工号(")


def stored(*lines, channel="web_chat"):
    """A transcript whose customer messages carry a stored analysis ``(author, s, text, mood)``."""
    return Transcript(
        channel, [Msg(a, text, START + timedelta(seconds=s), analysis=mood) for a, s, text, mood in lines]
    )


def test_soothe_first_reads_the_stored_analysis_and_never_runs_the_models(monkeypatch):
    from kefu.assist import emotion

    def no_models(*args, **kwargs):
        raise AssertionError("the emotion models ran at inspection time")

    from kefu.core.text import embed

    for module, name in [(emotion, "analyze_many"), (emotion, "analyze"), (embed, "_model")]:
        monkeypatch.setattr(module, name, no_models)
    # Given a message the stored analysis calls angry although its words look calm (the models saw more),
    angry = Mood("angry", 0.91)
    transcript = stored((C, 0, "订单号 123456", angry), (A, 5, "请提供手机号", None))
    # then the rule reads that verdict: the reply did not soothe first.
    assert RULES["soothe_first"].check(transcript).status == "fail"
    # And a stored calm verdict is believed over cue words that look upset,
    calm = Mood("calm", 0.2)
    assert (
        RULES["soothe_first"].check(stored((C, 0, "气死了哈哈，谢谢！", calm), (A, 5, "不客气", None))).status == "n/a"
    )
    # while unhappy below 0.75 is not clearly upset.
    mild = Mood("unhappy", 0.6)
    assert RULES["soothe_first"].check(stored((C, 0, "还没到", mild), (A, 5, "已催", None))).status == "n/a"


def test_without_a_stored_analysis_the_screen_decides_or_the_message_is_pending(monkeypatch):
    from kefu.assist import emotion

    monkeypatch.setattr(emotion, "analyze_many", lambda texts: (_ for _ in ()).throw(AssertionError("models ran")))
    # Given no stored analysis: a threat the screen is sure of is upset and judged,
    sure = t((C, 0, "再不处理我就去12315投诉你们！"), (A, 5, "请提供订单号"))
    assert RULES["soothe_first"].check(sure).status == "fail"
    assert sure.pending == []
    # while a message the screen is unsure of is pending: n/a, saying so, and counted in the outcome.
    unsure = t((C, 0, "东西收到了，跟描述的差距有点大"), (A, 5, "您好"))
    result = RULES["soothe_first"].check(unsure)
    assert unsure.pending == [0]
    assert (result.status, result.message_index) == ("n/a", 0)
    assert "pending" in result.detail
    assert engine.run(unsure, engine.shipped_specs()).analysis_pending == 1
    # Acknowledgements and messages after the agent's last word are never pending.
    assert t((C, 0, "好的"), (A, 5, "感谢您"), (C, 9, "跟描述的差距有点大")).pending == []


def test_lint_runs_once_per_distinct_text_in_a_run(django_assert_max_num_queries):
    from kefu.quality.rules import Run

    run = Run()
    lines = [(C, 0, "在吗"), (A, 5, "不知道"), (C, 8, "啊"), (A, 10, "不知道")]
    first = Transcript("web_chat", [Msg(a, x, START + timedelta(seconds=s)) for a, s, x in lines], run=run)
    second = Transcript("web_chat", [Msg(a, x, START + timedelta(seconds=s)) for a, s, x in lines], run=run)
    # Given two conversations sharing a run, when both are linted, then the phrases are read once
    with django_assert_max_num_queries(1):
        assert RULES["no_forbidden"].check(first).status == "fail"
        assert RULES["no_forbidden"].check(second).status == "fail"
    # and the same text is linted once.
    assert (run.lint_calls, run.lint_hits) == (2, 1)
