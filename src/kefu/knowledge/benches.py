"""``kefu bench search``: knowledge-search latency with many articles indexed.

Synthetic articles are sentences of the shipped help-center articles recombined with
random product models, indexed exactly as real ones (fold → segment → synonyms → FTS5 /
tsvector). Their vectors are random unit vectors: embedding 100,000 passages would take
most of an hour here and does not change the search path's cost (the query is still embedded,
and the candidates' stored vectors are read and scored). Everything happens inside one
transaction that is rolled back, so the database is left as it was.
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
from kefu.knowledge import lexicon
from kefu.knowledge.choices import ArticleCategory, ArticleStatus
from kefu.knowledge.content import plain_text
from kefu.knowledge.defaults import default_articles
from kefu.knowledge.index import index_text
from kefu.knowledge.models import Article, ArticleIndex
from kefu.knowledge.search import search

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


def _build(count: int, tag: str, rng: random.Random) -> float:
    """Create ``count`` published articles and their index rows; returns the seconds spent
    indexing (tokenising and writing index rows, FTS5 triggers / GIN updates included)."""
    sentences = _sentences()
    categories = ArticleCategory.values
    now = clock.now()
    vectors = np.random.default_rng(rng.randrange(1 << 30))
    indexing = 0.0
    for start in range(0, count, BATCH):
        articles = []
        for n in range(start, min(count, start + BATCH)):
            model = f"{rng.choice(['SFP', 'ONU', 'PDH', 'KF'])}-{rng.randrange(100, 9999)}"
            body = "。".join(rng.sample(sentences, rng.randint(3, 7)))
            vec = vectors.standard_normal(embed.DIM).astype(np.float32)
            articles.append(
                Article(
                    key=f"bench-{tag}-{n}",
                    title=f"{model} {rng.choice(sentences)[:24]}",
                    body=f"<p>{body}。</p>",
                    category=rng.choice(categories),
                    is_public=rng.random() < 0.8,
                    status=ArticleStatus.PUBLISHED,
                    embedding=embed.pack(vec / np.linalg.norm(vec)),
                    embedded_version=1,
                    created_at=now,
                    updated_at=now,
                )
            )
        Article.objects.bulk_create(articles)
        created = Article.objects.filter(key__startswith=f"bench-{tag}-").exclude(index_row__isnull=False)
        began = time.perf_counter()
        rows = []
        for article in created:
            tokens = lexicon.tokens(index_text(article))
            rows.append(
                ArticleIndex(article=article, tokens=" ".join(tokens), length=len(tokens), is_public=article.is_public)
            )
        ArticleIndex.objects.bulk_create(rows)
        indexing += time.perf_counter() - began
    return indexing


def _timed(queries: list[str], fn: Any = None, **options: Any) -> dict[str, float]:
    times = []
    for q in queries:
        began = time.perf_counter()
        if fn is None:
            search(q, limit=10, **options)
        else:
            fn(q)
        times.append((time.perf_counter() - began) * 1000)
    return {
        "p50_ms": round(statistics.median(times), 2),
        "p99_ms": round(_percentile(times, 99), 2),
        "mean_ms": round(statistics.fmean(times), 2),
    }


def search_latency(articles: int = 100_000, queries: int = 200) -> dict[str, Any]:
    """Search latency on the configured database with ``articles`` synthetic articles indexed:
    p50/p99 of ``queries`` searches (hybrid: BM25 + semantic re-rank, and lexical only), and
    the index build time. Rolled back afterwards."""
    rng = random.Random(20261124)  # noqa: S311 - reproducible benchmark data, not secrets
    tag = uuid.uuid4().hex[:8]
    picked = [rng.choice(QUERIES) for _ in range(queries)]
    with transaction.atomic():
        began = time.perf_counter()
        index_seconds = _build(articles, tag, rng)
        build_seconds = time.perf_counter() - began
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE knowledge_articleindex")
        search(picked[0])  # warm the models and caches
        hybrid = _timed(picked, semantic=True)
        lexical = _timed(picked, semantic=False)
        public = _timed(picked[: max(1, queries // 4)], semantic=True, public_only=True)
        embedding = _timed(picked[: max(1, queries // 4)], fn=embed.query_vector)
        indexed = ArticleIndex.objects.count()
        transaction.set_rollback(True)
    return {
        "database": connection.vendor,
        "articles": articles,
        "indexed_rows": indexed,
        "queries": queries,
        "p50_ms": hybrid["p50_ms"],
        "p99_ms": hybrid["p99_ms"],
        "hybrid": hybrid,
        "lexical_only": lexical,
        "public_only_hybrid": public,
        "query_embedding_only": embedding,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "index_build_seconds": round(index_seconds, 2),
        "setup_seconds": round(build_seconds, 2),
    }


@bench(
    "search",
    "Knowledge search latency (p50/p99 ms; BM25 + semantic re-rank, and lexical only) with N articles indexed, "
    "and the index build time; rolled back afterwards",
    articles=(int, 100_000, "synthetic articles to index"),
    queries=(int, 200, "searches to time"),
)
def search_bench(*, articles: int, queries: int) -> dict[str, Any]:
    return {"bench": "search", **search_latency(articles=articles, queries=queries)}
