"""Intent classifier: character n-gram TF-IDF + logistic regression, shipped as numpy arrays.

``kefu/bot/trained/intents.npz`` is fitted by ``kefu assist_train`` (:mod:`kefu.assist.training`) on
``data/intents_train.jsonl`` (≥ 30 phrasings an intent, Simplified and Traditional, typos, colloquial,
terse) and loaded with numpy (no pickle, nothing trained at start).  ``data/intents_dev.jsonl`` was looked
at while choosing the model (dev); ``data/intents_test.jsonl`` was written before and is only reported on.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from kefu.assist.charngrams import NgramModel, softmax

MIN_CONFIDENCE = 0.15


@dataclass(frozen=True)
class IntentGuess:
    intent: str | None
    confidence: float


def examples(split: str = "train") -> list[tuple[str, str]]:
    """(text, intent) pairs of ``intents_<split>.jsonl`` (train, dev or test)."""
    from kefu.assist.corpus import intent_rows

    return intent_rows(split)


@lru_cache(maxsize=1)
def model() -> NgramModel:
    with resources.files("kefu.bot").joinpath("trained/intents.npz").open("rb") as f:
        return NgramModel.load(f)


def reload() -> None:
    model.cache_clear()


def predict(text: str) -> IntentGuess:
    """The most likely intent of a customer's message (None when nothing is likely)."""
    if not text.strip():
        return IntentGuess(None, 0.0)
    clf = model()
    probs = softmax(clf.scores(text))
    best = int(probs.argmax())
    confidence = float(probs[best])
    if confidence < MIN_CONFIDENCE:
        return IntentGuess(None, round(confidence, 3))
    return IntentGuess(clf.classes[best], round(confidence, 3))


def evaluate(rows: list[tuple[str, str]]) -> dict[str, float]:
    """Accuracy and macro-F1 of the top intent on ``rows`` (say which split they are)."""
    from sklearn.metrics import f1_score  # type: ignore[import-untyped]

    clf = model()
    predicted = [clf.classes[int(clf.scores(text).argmax())] for text, _ in rows]
    truth = [intent for _, intent in rows]
    return {
        "n": len(rows),
        "accuracy": round(sum(p == t for p, t in zip(predicted, truth, strict=True)) / max(len(rows), 1), 3),
        "macro_f1": round(float(f1_score(truth, predicted, average="macro")), 3),
    }
