"""Intent classifier: character n-gram TF-IDF + logistic regression over the repo's labelled examples.

``data/intents_train.jsonl`` (≥ 30 examples an intent, Simplified and Traditional, typos, colloquial, terse)
trains it on first use (and at install: the app's post_migrate hook warms it); the model is cached under
``var/models/`` keyed by a hash of the data file and retrained when the file changes.
``data/intents_heldout.jsonl`` holds different phrasings for ``kefu bench assist``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]
from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
from sklearn.pipeline import Pipeline, make_pipeline  # type: ignore[import-untyped]

from kefu.assist import modelcache
from kefu.core.text import fold

MIN_CONFIDENCE = 0.15


@dataclass(frozen=True)
class IntentGuess:
    intent: str | None
    confidence: float


def examples(split: str = "train") -> list[tuple[str, str]]:
    """(text, intent) pairs of ``intents_<split>.jsonl``."""
    raw = resources.files("kefu.bot").joinpath(f"data/intents_{split}.jsonl").read_text(encoding="utf-8")
    rows = [json.loads(line) for line in raw.splitlines() if line.strip()]
    return [(row["text"], row["intent"]) for row in rows]


def _data_key() -> str:
    return modelcache.fingerprint(resources.files("kefu.bot").joinpath("data/intents_train.jsonl").read_bytes())


def train(rows: list[tuple[str, str]] | None = None) -> Pipeline:
    rows = rows if rows is not None else examples("train")
    model = make_pipeline(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True),
        LogisticRegression(C=20.0, max_iter=3000),
    )
    model.fit([fold(text) for text, _ in rows], [intent for _, intent in rows])
    return model


@lru_cache(maxsize=1)
def model() -> Any:
    return modelcache.cached("bot-intents", _data_key(), train)


def predict(text: str) -> IntentGuess:
    """The most likely intent of a customer's message (None when nothing is likely)."""
    if not text.strip():
        return IntentGuess(None, 0.0)
    clf = model()
    probs = clf.predict_proba([fold(text)])[0]
    best = int(probs.argmax())
    confidence = float(probs[best])
    if confidence < MIN_CONFIDENCE:
        return IntentGuess(None, round(confidence, 3))
    return IntentGuess(str(clf.classes_[best]), round(confidence, 3))


def evaluate(rows: list[tuple[str, str]] | None = None) -> dict[str, float]:
    """Accuracy and macro-F1 on the held-out split."""
    from sklearn.metrics import accuracy_score, f1_score  # type: ignore[import-untyped]

    rows = rows if rows is not None else examples("heldout")
    predicted = model().predict([fold(text) for text, _ in rows])
    truth = [intent for _, intent in rows]
    return {
        "n": len(rows),
        "accuracy": round(float(accuracy_score(truth, predicted)), 3),
        "macro_f1": round(float(f1_score(truth, predicted, average="macro")), 3),
    }
