"""``kefu bench assist`` is registered, and the held-out data it measures on is there and apart."""

from __future__ import annotations

from kefu.bot import intents
from kefu.bot.choices import Intent
from kefu.core.bench import BENCHES


def test_bench_is_registered():
    import kefu.assist.benches  # noqa: F401 - registers the bench

    assert "assist" in BENCHES
    assert set(BENCHES["assist"].options) == {"articles", "reviews"}


def test_every_intent_has_30_examples_and_heldout_phrasings_that_are_not_copies():
    train = intents.examples("train")
    heldout = intents.examples("heldout")
    for intent in Intent.values:
        assert sum(1 for _t, i in train if i == intent) >= 30, intent
        assert sum(1 for _t, i in heldout if i == intent) >= 5, intent
    assert not {t for t, _i in train} & {t for t, _i in heldout}


def test_intent_classifier_generalises_to_heldout_phrasings():
    figures = intents.evaluate()
    assert figures["n"] >= 18 * 5
    assert figures["accuracy"] > 0.8
    assert figures["macro_f1"] > 0.8
