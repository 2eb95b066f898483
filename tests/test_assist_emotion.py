"""Emotion analysis: the cue lexicon (threats to escalate) and the three-class analysis of a customer's
message from combined signals."""

from __future__ import annotations

import pytest

from kefu.assist import emotion, sentiment
from kefu.assist.cues import complaint_cues, find


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我要投訴你們，打１２３１５！！！", ["投诉", "12315"]),
        ("再不退款我就去消協和媒体曝光", ["消协", "媒体", "曝光"]),
        ("假一赔三懂不懂，我找律师", ["退一赔三", "律师"]),
        ("给你们差评", ["差评"]),
        ("什么时候发货呀", []),
        ("放心，我不会给你们差评的", []),
        ("不用投诉了，已经解决", []),
    ],
)
def test_complaint_cues(text, expected):
    # Given a customer message (either script, full-width digits), when its cues are read,
    # then the threats to escalate are named in Simplified, in order, and negated mentions are not.
    assert complaint_cues(text) == expected


def test_anger_markers_and_punctuation():
    # Given an exasperated message, when cues are found, then anger words and repeated marks count.
    found = find("你们这是什么破东西。。。气死我了！！")
    assert "什么破" in found.anger
    assert found.exclamations == 1
    assert found.ellipses == 1
    assert "。。。" in found.all


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("请问这款路由器有现货吗？", "calm"),
        ("好的，谢谢亲", "calm"),
        ("快递一个星期了还没到，有点失望", "unhappy"),
        ("收到的杯子碎了一个", "unhappy"),
        ("你们这群骗子，再不退钱我就打12315投诉！！！", "angry"),
        ("什麼爛東西，我要投訴到消協", "angry"),
    ],
)
def test_analyze_classifies_clear_messages(text, expected):
    # Given a clear message, when analysed, then its class is right and the fields are filled.
    result = emotion.analyze(text)
    assert result.emotion == expected
    assert 0.0 <= result.score <= 1.0
    if expected == "angry":
        assert result.urgent
        assert result.score > 0.5
    if expected == "calm":
        assert result.score < 0.5


def test_analyze_returns_the_intent_and_cues():
    # Given an angry refund demand, when analysed, then cues and the intent come with it.
    result = emotion.analyze("退款三天还没到账，再不处理我就投诉")
    assert "投诉" in result.cues
    assert result.intent in {"refund", "complaint"}
    assert result.as_dict()["emotion"] in {"unhappy", "angry"}


def test_analyze_of_nothing_is_calm():
    assert emotion.analyze("  ").emotion == "calm"


def test_heldout_reviews_are_never_trained_on():
    # Given the review split, when the embedding model's sample and the held-out set are drawn,
    held = {e.text for e in sentiment.heldout_reviews(200)}
    trained = {e.text for e in sentiment.training_reviews()}
    # then they do not overlap and both classes are present.
    assert held.isdisjoint(trained)
    assert {e.negative for e in sentiment.heldout_reviews(5)} == {True, False}


def test_signals_generalise_to_heldout_reviews():
    # Given 100 reviews of each class that no model saw,
    rows = sentiment.heldout_reviews(100)
    texts = [r.text for r in rows]
    truth = [r.negative for r in rows]
    # when both learned signals score them,
    emb = sentiment.embedding_negativity(texts)
    ngram = sentiment.ngram_negativity(texts)
    # then each is clearly better than chance (the bench reports the full figures).
    for probs in (emb, ngram):
        accuracy = sum((p >= 0.5) == t for p, t in zip(probs, truth, strict=True)) / len(truth)
        assert accuracy > 0.75
