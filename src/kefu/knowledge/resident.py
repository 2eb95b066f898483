"""The published articles held in this process: BM25 postings and a float32 vector matrix.

Search reads the index rows (``ArticleIndex``) once per process and then only what changed:

* every query reads the one statistics row (``stats.corpus``: a primary-key read). Its stamp
  is new after any index or vector write, committed or rolled back, in any process;
* when the stamp differs from the one this copy was built at, the rows' ``(article_id, stamp)``
  pairs are compared with the copy's: rows gone are dropped, rows new or changed are read again
  (tokens, length, visibility, vector). Nothing else is re-read;
* when more than a third of the slots are dead (edited or removed rows) the copy is rebuilt.

Lexical ranking is exact BM25 over every row containing a query term (the same formula and
constants as FTS5's ``bm25()``; see kefu.knowledge.search), computed with numpy from postings
(term → row slots and term frequencies, in ``array`` buffers: 6 bytes a posting). The semantic
side is a matrix product of the query vector with a float32 matrix of the rows' vectors
(100,000 × 384 × 4 bytes ≈ 154 MB; float16 would halve it, but numpy has no fast float16
product: it measured ten times slower here). From 20,000 rows a first pass multiplies a
projection on the 96 main directions (a quarter of the bytes) and only its best 400 rows are
scored exactly; the bench reports that pass's recall against the full product. A row whose
vector is missing or older than its text is embedded in a batch (``index.refresh_vectors``)
and joins the matrix on the next query.

One lock guards a copy: refreshing and ranking are short, and the GIL serialises numpy's
Python-side work anyway.
"""

from __future__ import annotations

import threading
from array import array
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from django.db import connection

from kefu.core.text import embed
from kefu.knowledge import stats

K1 = 1.2
B = 0.75
DEAD_SHARE = 1 / 3
COARSE_FROM = 20_000
COARSE_DIM = 96
COARSE_SAMPLE = 20_000
COARSE_POOL = 400
EMBED_BATCH = 200
_ROW_SQL = (
    "SELECT i.article_id, i.tokens, i.length, i.is_public, i.stamp, a.embedding, a.version, a.embedded_version "
    "FROM knowledge_articleindex i JOIN knowledge_article a ON a.id = i.article_id"
)


@dataclass
class _Copy:
    stamp: str | None = None
    slot_of: dict[int, int] = field(default_factory=dict)  # article id → live slot
    row_stamp: dict[int, int] = field(default_factory=dict)  # article id → the row stamp read
    ids: array[int] = field(default_factory=lambda: array("q"))  # slot → article id
    lengths: array[float] = field(default_factory=lambda: array("f"))
    alive: bytearray = field(default_factory=bytearray)
    public: bytearray = field(default_factory=bytearray)
    has_vector: bytearray = field(default_factory=bytearray)
    # Postings read at load: term → (start, end) into ``base_slots`` / ``base_tf`` (sorted by term
    # id, then slot). Rows added later go to ``postings`` (term → slots, frequencies).
    base_terms: dict[str, tuple[int, int]] = field(default_factory=dict)
    base_slots: npt.NDArray[np.int32] = field(default_factory=lambda: np.zeros(0, np.int32))
    base_tf: npt.NDArray[np.float32] = field(default_factory=lambda: np.zeros(0, np.float32))
    postings: dict[str, tuple[array[int], array[int]]] = field(default_factory=dict)
    vectors: npt.NDArray[np.float32] = field(default_factory=lambda: np.zeros((0, embed.DIM), np.float32))
    # From COARSE_FROM rows: the vectors projected on their main COARSE_DIM directions, for a first
    # pass of ``nearest`` (a quarter of the memory traffic); the best are then scored exactly.
    basis: npt.NDArray[np.float32] | None = None
    coarse: npt.NDArray[np.float32] | None = None
    stale: set[int] = field(default_factory=set)  # article ids whose vector must be (re)computed

    @property
    def slots(self) -> int:
        return len(self.ids)

    @property
    def live(self) -> int:
        return len(self.slot_of)

    def add(self, row: Sequence[Any]) -> None:
        pk, tokens, length, is_public, row_stamp, vector, version, embedded = row
        pk = int(pk)
        slot = len(self.ids)
        self.slot_of[pk] = slot
        self.row_stamp[pk] = int(row_stamp)
        self.ids.append(pk)
        self.lengths.append(float(length))
        self.alive.append(1)
        self.public.append(1 if is_public else 0)
        counts = Counter(str(tokens).split(" "))
        counts.pop("", None)
        for term, tf in counts.items():
            found = self.postings.get(term)
            if found is None:
                found = self.postings[term] = (array("i"), array("H"))
            found[0].append(slot)
            found[1].append(min(tf, 65535))
        if len(self.vectors) <= slot:
            grown = np.zeros((max(1024, 2 * len(self.vectors)), embed.DIM), np.float32)
            grown[: len(self.vectors)] = self.vectors
            self.vectors = grown
            if self.coarse is not None and self.basis is not None:
                self.coarse = np.zeros((len(grown), self.basis.shape[1]), np.float32)
                self.coarse[:slot] = self.vectors[:slot] @ self.basis
        fresh = vector is not None and version == embedded
        if fresh:
            self.vectors[slot] = embed.unpack(bytes(vector))
            self.stale.discard(pk)
        else:
            self.vectors[slot] = 0.0
            self.stale.add(pk)
        if self.coarse is not None and self.basis is not None:
            self.coarse[slot] = self.vectors[slot] @ self.basis
        self.has_vector.append(1 if fresh else 0)

    def load(self, rows: Sequence[Sequence[Any]]) -> None:
        """The first rows of an empty copy, at once: postings built with numpy."""
        vocab: dict[str, int] = {}
        term_ids: list[int] = []
        slot_ids: list[int] = []
        blobs: list[bytes] = []
        zero = bytes(embed.DIM * 4)
        for slot, (pk, tokens, length, is_public, row_stamp, vector, version, embedded) in enumerate(rows):
            pk = int(pk)
            self.slot_of[pk] = slot
            self.row_stamp[pk] = int(row_stamp)
            self.ids.append(pk)
            self.lengths.append(float(length))
            self.alive.append(1)
            self.public.append(1 if is_public else 0)
            words = [vocab.setdefault(t, len(vocab)) for t in str(tokens).split(" ") if t]
            term_ids.extend(words)
            slot_ids.extend([slot] * len(words))
            fresh = vector is not None and version == embedded and len(vector) == len(zero)
            blobs.append(bytes(vector) if fresh else zero)
            self.has_vector.append(1 if fresh else 0)
            if not fresh:
                self.stale.add(pk)
        count = len(rows)
        pairs = np.asarray(term_ids, dtype=np.int64) * max(1, count) + np.asarray(slot_ids, dtype=np.int64)
        unique, tf = np.unique(pairs, return_counts=True)
        terms_of = unique // max(1, count)
        self.base_slots = (unique % max(1, count)).astype(np.int32)
        self.base_tf = tf.astype(np.float32)
        bounds = np.searchsorted(terms_of, np.arange(len(vocab) + 1))
        self.base_terms = {t: (int(bounds[i]), int(bounds[i + 1])) for t, i in vocab.items()}
        self.vectors = np.frombuffer(b"".join(blobs), dtype="<f4").astype(np.float32).reshape(count, embed.DIM)
        if count >= COARSE_FROM:
            self.project()

    def project(self) -> None:
        """Compute the coarse basis (top eigenvectors of the vectors' second-moment matrix, from a
        sample) and the projected matrix."""
        have = np.flatnonzero(np.frombuffer(self.has_vector, dtype=np.uint8))
        if len(have) < COARSE_DIM:
            return
        sample = self.vectors[np.random.default_rng(0).permutation(have)[:COARSE_SAMPLE]]
        _, vecs = np.linalg.eigh(sample.T @ sample)
        self.basis = np.ascontiguousarray(vecs[:, ::-1][:, :COARSE_DIM], dtype=np.float32)
        self.coarse = self.vectors @ self.basis

    def term_postings(self, term: str) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.float32]] | None:
        base = self.base_terms.get(term)
        extra = self.postings.get(term)
        if base is None and extra is None:
            return None
        parts_s, parts_t = [], []
        if base is not None:
            parts_s.append(self.base_slots[base[0] : base[1]])
            parts_t.append(self.base_tf[base[0] : base[1]])
        if extra is not None:
            parts_s.append(np.frombuffer(extra[0], dtype=np.int32))
            parts_t.append(np.frombuffer(extra[1], dtype=np.uint16).astype(np.float32))
        if len(parts_s) == 1:
            return parts_s[0], parts_t[0]
        return np.concatenate(parts_s), np.concatenate(parts_t)

    def drop(self, pk: int) -> None:
        # The postings keep the dead slot, masked by ``alive`` (a rebuild reclaims them).
        slot = self.slot_of.pop(pk)
        self.row_stamp.pop(pk, None)
        self.stale.discard(pk)
        self.alive[slot] = 0
        self.has_vector[slot] = 0


_copy = _Copy()
_lock = threading.RLock()


def _load() -> _Copy:
    fresh = _Copy()
    with connection.cursor() as cursor:
        cursor.execute(_ROW_SQL)
        rows = cursor.fetchall()
    fresh.load(rows)
    return fresh


def _sync(copy: _Copy, stamp: str) -> _Copy:
    """Bring ``copy`` to the rows as this connection sees them now."""
    if copy.stamp is None:
        copy = _load()
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT article_id, stamp FROM knowledge_articleindex")
            current = {int(pk): int(row_stamp) for pk, row_stamp in cursor.fetchall()}
        for pk in [pk for pk in copy.slot_of if pk not in current]:
            copy.drop(pk)
        changed = [pk for pk, row_stamp in current.items() if copy.row_stamp.get(pk) != row_stamp]
        if len(changed) > max(1000, copy.live // 3):
            copy = _load()  # a bulk load: read everything at once
            copy.stamp = stamp
            return copy
        for pk in changed:
            if pk in copy.slot_of:
                copy.drop(pk)
        for start in range(0, len(changed), 500):
            part = changed[start : start + 500]
            with connection.cursor() as cursor:
                marks = ", ".join(["%s"] * len(part))
                cursor.execute(f"{_ROW_SQL} WHERE i.article_id IN ({marks})", part)
                for row in cursor.fetchall():
                    copy.add(row)
        if copy.slots - copy.live > max(1000, DEAD_SHARE * copy.slots):
            copy = _load()  # mostly dead slots (e.g. after a bulk load was rolled back)
    copy.stamp = stamp
    return copy


@dataclass(frozen=True)
class Corpus:
    copy: _Copy
    documents: int
    avg_length: float


def current(*, embed_stale: bool = False) -> Corpus:
    """This process's copy, brought up to date (one primary-key read when nothing changed),
    with the corpus statistics BM25 needs. ``embed_stale``: embed rows without a fresh vector
    first (up to ``EMBED_BATCH``)."""
    global _copy
    with _lock:
        documents, avg_length, stamp = stats.corpus()
        if stamp != _copy.stamp:
            _copy = _sync(_copy, stamp)
        if embed_stale and _copy.stale:
            from kefu.knowledge import index

            wanted = sorted(_copy.stale)[:EMBED_BATCH]
            index.refresh_vectors(wanted)
            # Read those rows again even if nothing was embedded here (another writer, such as the
            # shipped vectors at install, may have stored their vectors without a new row stamp).
            for pk in wanted:
                _copy.row_stamp[pk] = -1
            documents, avg_length, stamp = stats.corpus()
            _copy = _sync(_copy, stamp)
        return Corpus(_copy, documents, avg_length)


def forget() -> None:
    """Drop this process's copy (tests, and the bench's cold-load figure)."""
    global _copy
    with _lock:
        _copy = _Copy()


def _idf(n_docs: int, df: int) -> float:
    import math

    value = math.log((n_docs - df + 0.5) / (df + 0.5)) if n_docs else 0.0
    return value if value > 0 else 1e-6


def bm25_top(terms: Sequence[str], *, public_only: bool, limit: int) -> list[tuple[int, float, float]]:
    """(article id, BM25, Σ idf × (k1 + 1)) of the best ``limit`` rows containing any of
    ``terms``, best first; exact over every such row."""
    with _lock:
        corpus = current()
        copy, n_docs, avg_length = corpus.copy, corpus.documents, corpus.avg_length
        if not n_docs or not copy.live:
            return []
        dfs = stats.document_frequencies(terms)
        lengths = np.frombuffer(copy.lengths, dtype=np.float32)
        scores = np.zeros(copy.slots, dtype=np.float32)
        ceiling = 0.0
        for term, df in zip(terms, dfs, strict=True):
            found = copy.term_postings(term)
            weight = _idf(n_docs, df)
            ceiling += weight * (K1 + 1)
            if found is None:
                continue
            slots, tf = found
            norm = K1 * (1 - B + B * lengths[slots] / avg_length)
            scores[slots] += weight * tf * (K1 + 1) / (tf + norm)
        mask = np.frombuffer(copy.alive, dtype=np.bool_).copy()
        if public_only:
            mask &= np.frombuffer(copy.public, dtype=np.bool_)
        scores[~mask] = 0.0
        hits = np.flatnonzero(scores)
        if len(hits) > limit:
            hits = hits[np.argpartition(-scores[hits], limit - 1)[:limit]]
        hits = hits[np.argsort(-scores[hits], kind="stable")]
        ids = np.frombuffer(copy.ids, dtype=np.int64)
        return [(int(ids[s]), float(scores[s]), ceiling) for s in hits]


def cosines(query_vector: npt.NDArray[np.float32], article_ids: Sequence[int]) -> dict[int, float]:
    """Cosine of the query with each given article that has a fresh vector."""
    with _lock:
        copy = current(embed_stale=any(pk in _copy.stale for pk in article_ids)).copy
        slots = [copy.slot_of[pk] for pk in article_ids if pk in copy.slot_of and copy.has_vector[copy.slot_of[pk]]]
        if not slots:
            return {}
        values = copy.vectors[slots] @ query_vector
        ids = np.frombuffer(copy.ids, dtype=np.int64)
        return {int(ids[s]): float(v) for s, v in zip(slots, values, strict=True)}


def nearest(
    query_vector: npt.NDArray[np.float32],
    *,
    limit: int,
    public_only: bool,
    exclude: int | None = None,
    exact: bool | None = None,
) -> list[tuple[int, float]]:
    """(article id, cosine) of the ``limit`` rows nearest to the query. Up to ``COARSE_FROM``
    rows (or ``exact=True``): one product with every vector. From there: a product with the
    projected matrix picks ``COARSE_POOL`` rows, scored exactly (the bench reports its recall)."""
    with _lock:
        copy = current(embed_stale=True).copy
        if not copy.slots:
            return []
        mask = np.frombuffer(copy.has_vector, dtype=np.bool_) & np.frombuffer(copy.alive, dtype=np.bool_)
        if public_only:
            mask &= np.frombuffer(copy.public, dtype=np.bool_)
        if exclude is not None and exclude in copy.slot_of:
            mask[copy.slot_of[exclude]] = False
        wanted = min(limit, int(mask.sum()))
        if wanted <= 0:
            return []
        if copy.coarse is not None and copy.basis is not None and exact is not True:
            rough = copy.coarse[: copy.slots] @ (query_vector @ copy.basis)
            rough[~mask] = -np.inf
            pool = min(int(mask.sum()), max(COARSE_POOL, 4 * wanted))
            slots = np.argpartition(-rough, pool - 1)[:pool]
            scores = copy.vectors[slots] @ query_vector
        else:
            slots = np.flatnonzero(mask)
            scores = (copy.vectors[: copy.slots] @ query_vector)[slots]
        best = np.argpartition(-scores, wanted - 1)[:wanted]
        best = best[np.argsort(-scores[best], kind="stable")]
        ids = np.frombuffer(copy.ids, dtype=np.int64)
        return [(int(ids[slots[i]]), float(scores[i])) for i in best]
