"""Character n-gram linear models that load with numpy alone (no pickle, no scikit-learn at run time).

A text is folded (:func:`kefu.core.text.fold`: NFKC, Traditional → Simplified, lower case), cut into its
character 1-, 2- and 3-grams (2- and 3-grams also across the text's start and end, marked ``^`` / ``$``),
weighted ``(1 + log tf) × idf`` and L2-normalised — the features scikit-learn's ``TfidfVectorizer`` makes
with ``sublinear_tf=True`` and :func:`grams` as analyzer, which is how :mod:`kefu.assist.training` fits them.
A model is its vocabulary (the n-grams kept, in column order), their idf, and a linear layer
(``coef``: classes × vocabulary, ``intercept``), stored in one ``.npz`` of plain arrays.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from kefu.core.text import fold

MAX_CHARS = 400  # a longer text is cut: its first 400 characters decide


def grams(text: str) -> list[str]:
    """The character 1–3-grams of the folded ``text`` (whitespace collapsed), with edge markers."""
    folded = " ".join(fold(text[:MAX_CHARS]).split())
    if not folded:
        return []
    out = list(folded)
    padded = f"^{folded}$"
    for n in (2, 3):
        out += [padded[i : i + n] for i in range(len(padded) - n + 1)]
    return out


@dataclass(frozen=True)
class NgramModel:
    vocabulary: dict[str, int]
    idf: npt.NDArray[np.float32]
    coef: npt.NDArray[np.float32]  # classes × vocabulary
    intercept: npt.NDArray[np.float32]
    classes: list[str]

    def features(self, text: str) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
        """Column indexes and weights of ``text``'s known n-grams (sparse, L2-normalised)."""
        counts = Counter(g for g in grams(text) if g in self.vocabulary)
        if not counts:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        idx = np.fromiter((self.vocabulary[g] for g in counts), dtype=np.int64, count=len(counts))
        tf = np.fromiter((1.0 + math.log(c) for c in counts.values()), dtype=np.float32, count=len(counts))
        values = tf * self.idf[idx]
        norm = float(np.linalg.norm(values))
        return idx, values / norm if norm else values

    def scores(self, text: str) -> npt.NDArray[np.float32]:
        """The linear scores (logits), one per class."""
        idx, values = self.features(text)
        return np.asarray(self.coef[:, idx] @ values + self.intercept, dtype=np.float32)

    def save(self, path: Path, **extra: npt.NDArray[np.generic]) -> None:
        words = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        arrays: dict[str, Any] = {
            "vocabulary": np.array(words, dtype=str),
            "idf": self.idf.astype(np.float16),
            "coef": self.coef.astype(np.float16),
            "intercept": self.intercept.astype(np.float32),
            "classes": np.array(self.classes, dtype=str),
            **extra,
        }
        np.savez_compressed(path, **arrays)

    @classmethod
    def load(cls, path: Path | object) -> NgramModel:
        with np.load(path, allow_pickle=False) as data:  # type: ignore[arg-type]
            words = [str(w) for w in data["vocabulary"]]
            return cls(
                vocabulary={w: i for i, w in enumerate(words)},
                idf=data["idf"].astype(np.float32),
                coef=data["coef"].astype(np.float32),
                intercept=data["intercept"].astype(np.float32),
                classes=[str(c) for c in data["classes"]],
            )


def softmax(logits: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
    z = logits.astype(np.float64) - float(np.max(logits))
    e = np.exp(z)
    return np.asarray(e / e.sum(), dtype=np.float64)


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(min(x, 50.0), -50.0)))
