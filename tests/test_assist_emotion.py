"""Emotion analysis: the cue lexicon, each angry cue, plain questions staying calm, the screen, the batch,
and the shipped models (they load with numpy and give the dev figures recorded in their manifest)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kefu.assist import corpus, emotion, sentiment, training
from kefu.assist.cues import complaint_cues, find


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我要投訴你們，打１２３１５！！！", ["投诉", "12315"]),
        ("再不退款我就去消協和媒体曝光", ["消协", "媒体", "曝光"]),
        ("假一赔三懂不懂，我找律师", ["退一赔三", "律师"]),
        ("给你们差评", ["差评"]),
        ("叫你们经理来", ["经理"]),
        ("什么时候发货呀", []),
        ("放心，我不会给你们差评的", []),
        ("不用投诉了，已经解决", []),
        ("订单号2023110512315678帮我查下", []),  # digits inside a longer number are no hotline
    ],
)
def test_complaint_cues(text, expected):
    # Given a customer message (either script, full-width digits), when its cues are read,
    # then the threats to escalate are named in Simplified, in order, and negated mentions are not.
    assert complaint_cues(text) == expected


def test_anger_markers_and_punctuation():
    found = find("你们这是什么破东西。。。气死我了！！")
    assert "什么破" in found.anger
    assert found.exclamations == 1
    assert found.ellipses == 1
    assert "。。。" in found.all


def test_a_drum_washer_is_no_insult():
    assert find("滚筒洗衣机有货吗").anger == []


# Each angry cue of the issue: escalation words, 差评 threats, repeated punctuation, insults, managers.
ANGRY = [
    ("投诉", "这事你们不管我就投诉"),
    ("12315", "我现在就打12315"),
    ("曝光", "我会把这件事发到网上曝光"),
    ("差评威胁: 给差评", "这样的话我只能给差评了"),
    ("差评威胁: 不改就差评", "地址不改就差评"),
    ("repeated ！！！", "东西到现在还没发，太慢了！！！"),
    ("repeated ？？？", "怎么又坏了？？？"),
    ("insult", "你们就是一群骗子"),
    ("insult", "垃圾东西，用一次就坏"),
    ("manager", "叫你们经理来"),
    ("manager", "找你们领导，我不跟你说"),
    ("Traditional", "再不處理我就去消保會投訴"),
    ("insult", "你们是不是有病，我说了不要辣"),
    ("insult", "你们这种黑心商家迟早倒闭"),
    ("manager", "找个能做主的人来跟我说"),
    ("escalation: platform", "再不退款我就申请平台介入"),
]


@pytest.mark.parametrize(("cue", "text"), ANGRY, ids=[f"{c}-{i}" for i, (c, _t) in enumerate(ANGRY)])
def test_each_angry_cue_reads_angry(cue, text):
    result = emotion.analyze(text)
    assert result.emotion == "angry", (cue, result)
    assert result.urgent
    assert result.score >= 0.8


PLAIN = [
    "请问这款路由器有现货吗？",
    "说明书在哪里下载",
    "想查一下退款进度",
    "发票怎么开",
    "能改地址吗",
    "我的快递到哪了",
    "这个要怎么安装",
    "好的，谢谢亲",
    "請問可以開發票嗎",
    "麻烦帮我看看订单发了没有",
]


@pytest.mark.parametrize("text", PLAIN)
def test_plain_questions_stay_calm(text):
    result = emotion.analyze(text)
    assert result.emotion == "calm", result
    assert result.score < 0.5


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("快递一个星期了还没到，有点失望", "unhappy"),
        ("收到的杯子碎了一个", "unhappy"),
        ("你们这群骗子，再不退钱我就打12315投诉！！！", "angry"),
        ("什麼爛東西，我要投訴到消協", "angry"),
    ],
)
def test_analyze_classifies_clear_messages(text, expected):
    assert emotion.analyze(text).emotion == expected


def test_analyze_returns_intent_cues_script_and_source():
    result = emotion.analyze("退款三天还没到账，再不处理我就投诉")
    assert "投诉" in result.cues
    assert result.intent in {"refund", "complaint"}
    assert result.script == "zh-Hans"
    assert result.source == "screen"  # a threat is sure without the encoder
    assert emotion.analyze("請問這個有保固嗎").script == "zh-Hant"
    assert emotion.analyze("hello?").script == "other"
    assert set(result.as_dict()) == {"emotion", "score", "urgent", "cues", "intent", "script", "source"}


def test_analyze_of_nothing_is_calm():
    assert emotion.analyze("  ").emotion == "calm"


def test_screen_is_sure_or_says_none():
    assert emotion.screen("我要投诉你们") is not None
    assert emotion.screen("我要投诉你们").emotion == "angry"  # type: ignore[union-attr]
    # A message without cues on which the n-gram model is torn goes to the models.
    unsure = [t for t in ["东西收到了", "这个颜色还行吧", "嗯", "就这样吧"] if emotion.screen(t) is None]
    for text in unsure:
        assert emotion.analyze(text).source == "model"


def test_no_insult_inside_ordinary_words():
    # 空气炸锅 holds 气炸, 妈妈的 holds 妈的, USB holds no insult.
    for text in ("这个空气炸锅能直接放锡纸吗", "收货人写我妈妈的名字可以吗", "有USB接口吗"):
        assert find(text).anger == [], text


def test_the_encoder_reads_a_short_message_whole_and_the_telling_clauses_of_a_long_one():
    short = "快递一个星期了还没到"
    assert sentiment.encoder_text(short) == short
    long = "订单A3F9C2：我上周在你们店买的那台洗衣机，今天终于送到了，可是滚筒有个裂缝，太让人失望了"
    cut = sentiment.encoder_text(long)
    assert len(cut) <= sentiment.EMBED_MAX_CHARS < len(long)
    # what it reads is taken from the message, in its order (a subsequence of its characters)
    rest = iter(long)
    assert all(ch in rest for ch in cut)
    assert "失望" in cut
    assert "A3F9C2" not in cut  # order numbers carry no feeling and cost tokens


def test_analyze_many_matches_analyze_one_by_one():
    texts = ["什么时候发货", "快递一个星期了还没到，有点失望", "叫你们经理来！！", "", "这个颜色还行吧"]
    assert emotion.analyze_many(texts) == [emotion.analyze(t) for t in texts]


# --- the shipped artefacts -------------------------------------------------------------------------------


def test_shipped_models_load_without_pickle_and_are_small():
    root = Path(training.emotion_dir())
    files = [root / "emotion.npz", Path(training.intent_dir()) / "intents.npz"]
    assert sum(f.stat().st_size for f in files) < 4 * 1024 * 1024
    model = sentiment.shipped()
    assert len(model.ngram.vocabulary) > 10_000
    assert model.embedding_coef.shape == (384,)


def test_shipped_models_give_the_recorded_dev_figures():
    # Given the manifest written by kefu assist_train, when the shipped models score the repo's dev set,
    manifest = training.read_manifest()
    rows = corpus.emotion_rows("emotion_dev")
    predicted = [a.emotion for a in emotion.analyze_many([r["text"] for r in rows])]
    accuracy = round(sum(p == r["emotion"] for p, r in zip(predicted, rows, strict=True)) / len(rows), 4)
    # then they give the recorded figure, and the intents theirs.
    assert accuracy == manifest["emotion"]["dev_figures"]["emotion_dev_3class_accuracy"]
    from kefu.bot import intents

    assert intents.evaluate(intents.examples("dev")) == manifest["intents"]["dev_figures"]
    assert manifest["emotion"]["model_version"] == emotion.MODEL_VERSION


def test_manifest_hashes_match_the_repo_data():
    # The train and dev files (and the lexicon, a blend feature) are those the shipped models learned from.
    recorded = training.read_manifest()["data_sha256"]
    for key, value in training.repo_hashes().items():
        assert recorded[key] == value, f"{key} changed since the models were trained: run kefu assist_train"


@pytest.mark.skipif(not corpus.corpus_present(), reason=f"the review corpus is not at {corpus.corpus_dir()}")
def test_manifest_hashes_and_dev_reviews_match_the_corpus():
    manifest = training.read_manifest()
    for name, digest in corpus.corpus_hashes().items():
        assert manifest["data_sha256"][f"corpus/{name}"] == digest, name
    rows = corpus.reviews_of("dev", training.DEV_SAMPLE_PER_CLASS, source="eprstmt_dev.json")
    neg = sentiment.negativity([r.text for r in rows])
    accuracy = round(sum((p >= 0.5) == r.negative for p, r in zip(neg, rows, strict=True)) / len(rows), 4)
    assert accuracy == manifest["emotion"]["dev_figures"]["eprstmt_dev_negative_vs_positive_accuracy"]


def test_the_corpus_directory_is_configurable(monkeypatch, tmp_path):
    monkeypatch.setenv("KEFU_SENTIMENT_CORPUS", str(tmp_path))
    assert corpus.corpus_dir() == tmp_path
    assert not corpus.corpus_present()


def test_nothing_trains_when_kefu_analyses(tmp_path):
    # Given an empty model directory, when a fresh process analyses a message and predicts an intent,
    code = (
        "import django, sys; django.setup();"
        "from kefu.assist import emotion; from kefu.assist.apps import install_after_migrate;"
        "print(emotion.analyze('我的快递到哪了').emotion);"
        "print('kefu.assist.training' in sys.modules)"
    )
    env = {**os.environ, "KEFU_MODEL_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "kefu.config.settings"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, timeout=120)
    # then it answers from the shipped arrays: no training module loaded, nothing written.
    assert out.stdout.split() == ["calm", "False"]
    assert list(tmp_path.iterdir()) == []


def test_assist_train_says_where_the_corpus_is_missing(monkeypatch, tmp_path):
    from django.core.management import CommandError, call_command

    monkeypatch.setenv("KEFU_SENTIMENT_CORPUS", str(tmp_path / "nowhere"))
    with pytest.raises(CommandError, match="KEFU_SENTIMENT_CORPUS"):
        call_command("assist_train")
