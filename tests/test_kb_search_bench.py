import io
import json

import pytest
from django.core.management import call_command

from kefu.knowledge.models import Article, IndexStats


@pytest.mark.django_db
def test_bench_search_prints_medians_baselines_and_rolls_back():
    # Given the shipped articles and their statistics,
    articles = Article.objects.count()
    documents = IndexStats.objects.get(pk=1).documents
    # when the search bench runs at a tiny size,
    out = io.StringIO()
    call_command(
        "bench", "search", "--articles", "300", "--queries", "12", "--rounds", "2", "--baseline-queries", "3",
        stdout=out,
    )  # fmt: skip
    result = json.loads(out.getvalue())
    # then it reports medians of both modes, its baselines and the load, with verified tokens,
    assert result["bench"] == "search"
    assert result["indexed_rows"] == documents + 300
    assert result["tokens_verified_against_reindex"] is True
    for key in ("hybrid", "hybrid_memoised", "lexical_only", "nearest", "baseline_database_lexical_recount"):
        assert result[key]["p50_ms"] > 0
        assert result[key]["p99_ms"] >= result[key]["p50_ms"]
        assert len(result[key]["per_round_p99_ms"]) == 2
    assert 0 <= result["baseline_overlap_at_10_with_exact"] <= 1
    assert len(result["load_average"]) == 3
    # and leaves the database as it was.
    assert Article.objects.count() == articles
    assert IndexStats.objects.get(pk=1).documents == documents
