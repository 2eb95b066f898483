"""``kefu bench assist`` runs at a tiny size, names every set's role, and the sets it measures are apart."""

from __future__ import annotations

import pytest

from kefu.assist import corpus
from kefu.bot import intents
from kefu.bot.choices import Intent
from kefu.core.bench import BENCHES


def test_bench_is_registered():
    import kefu.assist.benches  # noqa: F401 - registers the bench

    assert "assist" in BENCHES
    assert set(BENCHES["assist"].options) == {"reviews", "rounds", "per_round"}


@pytest.mark.django_db
def test_bench_runs_tiny_and_labels_roles():
    from kefu.assist.benches import assist_bench

    result = assist_bench(reviews=3 if corpus.corpus_present() else 0, rounds=1, per_round=3)
    em = result["emotion"]
    assert em["test_chat"]["role"] == "test"
    assert em["test_questions"]["role"] == "test"
    assert "read_upset" not in em["test_questions"]  # a test set's errors are not listed
    assert em["dev_questions"]["role"] == "dev"
    assert "read_upset" in em["dev_questions"]
    assert em["dev_chat"]["role"] == "dev"
    assert 0.0 <= em["test_chat"]["accuracy_analysis"] <= 1.0
    assert "accuracy_baseline_lexicon_only" in em["test_chat"]
    assert result["intents"]["dev"]["role"] == "dev"
    assert result["intents"]["test"]["role"] == "test"
    if corpus.corpus_present():
        assert em["dev_reviews"]["eprstmt_dev"]["role"] == "dev"
        assert em["dev_reviews"]["eprstmt_dev"]["reviews"] == 6
    api = result["speed"]["api"]
    assert api["analyze"]["p99_ms"] > 0
    assert api["baseline_lint"]["p99_ms"] > 0
    assert result["speed"]["analyze_function"]["baseline_screen_only"]["p50_ms"] > 0
    assert len(result["load_average_start"]) == 3


def test_bench_messages_are_distinct_and_50_characters():
    from kefu.assist.benches import messages

    texts = messages(300)
    assert len(set(texts)) == 300
    assert {len(t) for t in texts} == {50}


def test_every_intent_has_train_dev_and_test_phrasings_that_are_not_copies():
    train = intents.examples("train")
    dev = intents.examples("dev")
    test = intents.examples("test")
    for intent in Intent.values:
        assert sum(1 for _t, i in train if i == intent) >= 30, intent
        assert sum(1 for _t, i in dev if i == intent) >= 5, intent
        assert sum(1 for _t, i in test if i == intent) >= 5, intent
    train_texts = {t for t, _i in train}
    assert not train_texts & {t for t, _i in dev}
    assert not train_texts & {t for t, _i in test}


def test_emotion_test_sets_are_apart_from_what_trains():
    trained = {r["text"] for r in corpus.emotion_rows("emotion_train")} | set(corpus.calm_lines())
    chat = corpus.emotion_rows("emotion_test")
    questions = corpus.emotion_rows("questions_test")
    assert len(chat) >= 150
    assert len(questions) >= 100
    assert {r["emotion"] for r in chat} == {"calm", "unhappy", "angry"}
    assert {r["emotion"] for r in questions} == {"calm"}
    assert not trained & ({r["text"] for r in chat} | {r["text"] for r in questions})
    assert not trained & {r["text"] for r in corpus.emotion_rows("questions_dev")}


def test_intent_classifier_generalises_to_dev_phrasings():
    figures = intents.evaluate(intents.examples("dev"))
    assert figures["n"] >= 18 * 5
    assert figures["accuracy"] > 0.8
