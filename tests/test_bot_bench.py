"""``kefu bench bot`` runs at a tiny size in the suite (its code cannot rot), and the paraphrase harness
reads the pair formats it documents."""

from __future__ import annotations

import json

import pytest

from kefu.bot import paraphrase
from kefu.core.bench import BENCHES

# Pairs written for this test (not third-party data): two paraphrase pairs and a non-paraphrase.
PAIRS = [
    ("退款几天能到账", "钱多久退回来", 1),
    ("怎么开发票", "发票在哪里申请", 1),
    ("周末发货吗", "运费怎么算", 0),
]


def test_pairs_load_from_json_lines_and_tab_separated(tmp_path):
    lines = tmp_path / "pairs.jsonl"
    lines.write_text("\n".join(json.dumps({"text1": a, "text2": b, "label": c}) for a, b, c in PAIRS), "utf-8")
    tabs = tmp_path / "pairs.tsv"
    tabs.write_text("\n".join(f"{a}\t{b}\t{c}" for a, b, c in PAIRS), "utf-8")
    assert paraphrase.load_pairs(lines) == PAIRS
    assert paraphrase.load_pairs(tabs) == PAIRS


@pytest.mark.django_db
def test_paraphrase_retrieval_ranks_every_ranker():
    figures = paraphrase.evaluate(PAIRS)
    assert figures["queries"] == 2
    assert figures["candidates"] == 3
    for name in ("bm25", "embedding", "bot"):
        assert 0.0 <= figures[name]["top1"] <= figures[name]["mrr10"] <= 1.0


@pytest.mark.django_db(transaction=False)
def test_bot_bench_runs_at_a_tiny_size(tmp_path):
    # Given the bench registered and a tiny pairs file,
    import kefu.bot.benches  # noqa: F401 - registers the bench

    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text("\n".join(json.dumps({"text1": a, "text2": b, "label": c}) for a, b, c in PAIRS), "utf-8")
    # when it runs with a few questions, one round and 200 synthetic articles,
    result = BENCHES["bot"].fn(
        articles=200, rounds=1, questions=4, latency_questions=3, pairs=str(pairs), pair_queries=0
    )
    # then it reports both sets by role with their baselines, the paraphrase figures and the latencies.
    assert result["quality"]["dev"]["role"].startswith("dev")
    assert result["quality"]["test"]["role"].startswith("test")
    for split in ("dev", "test"):
        assert {"top1_lexical", "top1_semantic", "top1_hybrid", "answered_wrong", "handed_over"} <= set(
            result["quality"][split]
        )
    assert result["paraphrase"]["queries"] == 2
    small, large = result["latency_shipped_articles"], result["latency_200_articles"]
    assert small["answer"]["p99_ms"] > 0
    assert small["baseline_query_embedding"]["p99_ms"] > 0
    assert large["articles_indexed"] >= small["articles_indexed"] + 200
    assert len(result["loadavg_start"]) == 3


def test_bench_reports_blocked_without_pairs(tmp_path):
    from kefu.bot.benches import paraphrase_figures

    figures = paraphrase_figures(str(tmp_path / "missing.jsonl"), None)
    assert figures["status"].startswith("blocked")
