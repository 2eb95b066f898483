"""``kefu bench assist``: emotion and intent quality on each data set *with its role*, and analysis speed.

Quality (deterministic, so one round; every figure names its set's role — see :mod:`kefu.assist.corpus`):

* ``emotion.test_chat`` — calm/unhappy/angry on ``emotion_test.jsonl`` (TEST: frozen before tuning);
* ``emotion.test_questions`` — how often plain questions (``questions_test.jsonl``, TEST) read upset;
* ``emotion.dev_questions`` — the same on ``questions_dev.jsonl`` (DEV: thresholds were checked on it);
* ``emotion.dev_chat`` — the same three classes on ``emotion_dev.jsonl`` (DEV: tuned on);
* ``emotion.dev_reviews`` — negative vs positive on the corpus's dev rows (DEV: ``eprstmt_dev`` and a
  hash split of the SophonPlus CSVs; other rows of the same collections are the product owner's test);
* baselines in the same run: the cue lexicon alone, the n-gram model alone (the screen's signal), the
  embedding model alone, and SnowNLP's own sentiment score;
* ``intents`` — accuracy and macro-F1 on ``intents_dev.jsonl`` (DEV) and ``intents_test.jsonl`` (TEST).

Speed (medians of ``rounds`` rounds, with ``os.getloadavg()``): :func:`kefu.assist.emotion.analyze` on
50-character messages against the screen alone (the baseline), and ``POST /api/v1/assist/analyze`` through
Django's test client (p50/p99 per round) against ``POST /api/v1/assist/lint`` in the same run.  Every
timed message is a distinct text and the encoder's memo is emptied before each call (outside the clock),
so the memo never answers for it.  Beside the wall clock each
figure has the process's CPU time per call (``cpu_p50_ms`` / ``cpu_p99_ms``): on a shared, loaded machine
the wall clock mostly measures the wait for a core; with ``OMP_NUM_THREADS=1`` the CPU time is what the
call takes on one idle core.
"""

from __future__ import annotations

import os
import statistics
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.db import connection

from kefu.assist import corpus, emotion, sentiment
from kefu.assist.cues import find
from kefu.core import clock
from kefu.core.bench import bench


def _accuracy(predicted: list[Any], truth: list[Any]) -> float:
    return round(sum(p == t for p, t in zip(predicted, truth, strict=True)) / max(len(truth), 1), 3)


def _macro_f1(predicted: list[str], truth: list[str]) -> float:
    from sklearn.metrics import f1_score  # type: ignore[import-untyped]

    return round(float(f1_score(truth, predicted, average="macro")), 3)


def _snownlp_negative(texts: list[str]) -> list[bool]:
    from snownlp import SnowNLP  # type: ignore[import-untyped]

    return [SnowNLP(t).sentiments < 0.5 for t in texts]


def chat_figures(name: str, role: str) -> dict[str, Any]:
    """Three-class accuracy of the analysis and its baselines on ``kefu/assist/data/<name>.jsonl``."""
    rows = corpus.emotion_rows(name)
    texts = [r["text"] for r in rows]
    truth = [r["emotion"] for r in rows]
    combined = emotion.analyze_many(texts)
    ngram = sentiment.ngram_negativity(texts)
    predicted = {
        "analysis": [a.emotion for a in combined],
        "baseline_lexicon_only": [emotion.lexicon_only(find(t)) for t in texts],
        "baseline_ngram_only": [emotion.decide(find(t), float(p)) for t, p in zip(texts, ngram, strict=True)],
    }
    out: dict[str, Any] = {"set": f"{name}.jsonl", "role": role, "messages": len(rows)}
    out |= {f"accuracy_{k}": _accuracy(v, truth) for k, v in predicted.items()}
    out["macro_f1_analysis"] = _macro_f1(predicted["analysis"], truth)
    out["decided_by_screen"] = round(sum(a.source == "screen" for a in combined) / max(len(rows), 1), 3)
    return out


def question_figures(name: str = "questions_test", role: str = "test") -> dict[str, Any]:
    """How often plain questions and requests read upset (unhappy or angry).  The questions read upset are
    listed for a dev set only: a test set's errors are not for reading."""
    texts = [r["text"] for r in corpus.emotion_rows(name)]
    combined = emotion.analyze_many(texts)
    upset = [a.emotion != "calm" for a in combined]
    out: dict[str, Any] = {
        "set": f"{name}.jsonl",
        "role": role,
        "questions": len(texts),
        "upset_rate_analysis": round(sum(upset) / max(len(texts), 1), 3),
        "upset_rate_baseline_lexicon_only": round(
            sum(emotion.lexicon_only(find(t)) != "calm" for t in texts) / max(len(texts), 1), 3
        ),
        "upset_rate_baseline_snownlp": round(sum(_snownlp_negative(texts)) / max(len(texts), 1), 3),
    }
    if role == "dev":
        out["read_upset"] = [t for t, u in zip(texts, upset, strict=True) if u]
    return out


def review_figures(per_class: int) -> dict[str, Any]:
    """Negative vs positive on the corpus's dev rows (DEV figures; the owner's test rows are elsewhere)."""
    if not corpus.corpus_present():
        return {"skipped": f"no review corpus at {corpus.corpus_dir()}"}
    out: dict[str, Any] = {}
    for key, source in (("eprstmt_dev", "eprstmt_dev.json"), ("sophonplus_csv_hash_dev", None)):
        rows = corpus.reviews_of("dev", per_class, source=source)
        if source is None:
            rows = [r for r in rows if r.source in corpus.CSV_FILES]
        texts = [r.text for r in rows]
        truth = [r.negative for r in rows]
        scores = sentiment.score(texts)
        out[key] = {
            "role": "dev",
            "reviews": len(rows),
            "accuracy_blend": _accuracy([s.blended >= 0.5 for s in scores], truth),
            "accuracy_ngram_only": _accuracy([s.ngram >= 0.5 for s in scores], truth),
            "accuracy_embedding_only": _accuracy([s.embedding >= 0.5 for s in scores], truth),
            "accuracy_baseline_lexicon_only": _accuracy([bool(find(t).all) for t in texts], truth),
            "accuracy_baseline_snownlp": _accuracy(_snownlp_negative(texts), truth),
        }
    return out


def intent_figures() -> dict[str, Any]:
    from kefu.bot import intents

    return {
        "train_examples": len(intents.examples("train")),
        "dev": {"role": "dev", **intents.evaluate(intents.examples("dev"))},
        "test": {"role": "test", **intents.evaluate(intents.examples("test"))},
    }


# --- speed ----------------------------------------------------------------------------------------------

_PARTS = (
    "我上周在你们店买的那台",
    "洗衣机今天终于送到了",
    "可是师傅说要等到下周才能上门安装",
    "想问一下能不能提前一点",
    "家里的旧机器已经搬走了",
    "衣服堆了好几天没法洗",
    "麻烦帮我看看有没有办法",
    "订单备注里写了地址",
)


def messages(count: int, length: int = 50) -> list[str]:
    """``count`` distinct customer messages of ``length`` characters (no encoder memo can answer them)."""
    out = []
    for i in range(count):
        tag = uuid.uuid5(uuid.NAMESPACE_OID, f"kefu-bench-{i}").hex[:6]
        body = f"订单{tag}：" + "，".join(_PARTS[(i + k) % len(_PARTS)] for k in range(4))
        out.append(body[:length].ljust(length, "。"))
    return out


def _quantiles(values: list[float]) -> list[float]:
    return statistics.quantiles(values, n=100, method="inclusive") if len(values) > 1 else values * 99


def _percentiles(timed: tuple[list[float], list[float]]) -> dict[str, float]:
    """Wall-clock p50/p99, and the CPU time of the process (all its threads) per call: on a loaded
    machine the wall clock measures the queue for a core, the CPU time what one call costs."""
    wall, cpu = _quantiles(timed[0]), _quantiles(timed[1])
    return {
        "p50_ms": round(wall[49], 2),
        "p99_ms": round(wall[98], 2),
        "cpu_p50_ms": round(cpu[49], 2),
        "cpu_p99_ms": round(cpu[98], 2),
    }


def _timed(fn: Callable[[str], Any], texts: list[str]) -> tuple[list[float], list[float]]:
    from kefu.core.text import embed

    wall, cpu = [], []
    for text in texts:
        # The messages differ in their order number, which the encoder does not read (it would find
        # their shared clauses in its memo): the memo is emptied before each call, outside the clock.
        embed.forget()
        start, start_cpu = time.perf_counter(), time.process_time()
        fn(text)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return wall, cpu


def _median_of_rounds(per_round: list[dict[str, float]]) -> dict[str, float]:
    return {k: round(statistics.median(r[k] for r in per_round), 2) for k in per_round[0]}


def analyze_speed(rounds: int, per_round: int) -> dict[str, Any]:
    """Latency of analyze() (screen, then models where unsure) vs the screen alone, 50-character messages."""
    emotion.analyze("预热一下")  # load the arrays and the encoder before timing
    texts = messages(rounds * per_round * 2)
    full, scr = [], []
    for r in range(rounds):
        batch = texts[r * per_round * 2 : (r + 1) * per_round * 2]
        scr.append(_percentiles(_timed(emotion.screen, batch[:per_round])))
        full.append(_percentiles(_timed(emotion.analyze, batch[per_round:])))
    a, b = _median_of_rounds(full), _median_of_rounds(scr)
    return {
        "analyze": a,
        "baseline_screen_only": b,
        "ratio_p50": round(a["p50_ms"] / max(b["p50_ms"], 1e-6), 1),
        "decided_by_screen": sum(emotion.screen(t) is not None for t in texts[:per_round]) / per_round,
    }


def _bench_client() -> tuple[Any, dict[str, str]]:
    from django.test import Client

    from kefu.accounts.actions import do_create_api_token, do_create_user
    from kefu.accounts.choices import Role
    from kefu.accounts.models import User

    now = clock.now()
    user = User.objects.filter(username="bench-assist").first()
    if user is None:
        user = do_create_user(
            "bench-assist", password=uuid.uuid4().hex, role=Role.SUPERVISOR, display_name="压测助手", now=now
        )
    _token, raw = do_create_api_token(user, name="bench-assist", now=now)
    return Client(HTTP_HOST="localhost"), {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def api_speed(rounds: int, per_round: int) -> dict[str, Any]:
    """``POST /api/v1/assist/analyze`` (50-character messages) vs ``POST /api/v1/assist/lint``, same run."""
    if "accounts_user" not in connection.introspection.table_names():
        return {"skipped": "the database is not migrated (run kefu migrate, or point KEFU_DATABASE_URL at one)"}
    client, headers = _bench_client()

    def post(path: str) -> Callable[[str], Any]:
        def send(text: str) -> None:
            response = client.post(path, {"text": text}, content_type="application/json", **headers)
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code}: {response.content[:200]!r}")

        return send

    post("/api/v1/assist/analyze")("预热一下")
    texts = messages(rounds * per_round * 2 + 1000)[1000:]  # not the texts analyze_speed timed
    analyzed, linted = [], []
    for r in range(rounds):
        batch = texts[r * per_round * 2 : (r + 1) * per_round * 2]
        linted.append(_percentiles(_timed(post("/api/v1/assist/lint"), batch[:per_round])))
        analyzed.append(_percentiles(_timed(post("/api/v1/assist/analyze"), batch[per_round:])))
    a, b = _median_of_rounds(analyzed), _median_of_rounds(linted)
    return {
        "message_chars": 50,
        "analyze": a,
        "baseline_lint": b,
        "ratio_p99": round(a["p99_ms"] / max(b["p99_ms"], 1e-6), 1),
        "target_p99_ms": 30,
        "encoder_max_chars": sentiment.EMBED_MAX_CHARS,
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS", "unset (all cores)"),
    }


@bench(
    "assist",
    "Emotion (test/dev chat sets, plain-question test set, dev reviews) and intent (dev/test) quality with "
    "baselines, analyze() and POST /api/v1/assist/analyze latency against baselines",
    reviews=(int, 300, "dev reviews of each class from each corpus split (0: skip the review figures)"),
    rounds=(int, 5, "timing rounds (medians are reported)"),
    per_round=(int, 100, "timed messages per round and path"),
)
def assist_bench(*, reviews: int, rounds: int, per_round: int) -> dict[str, Any]:
    started = time.perf_counter()
    result: dict[str, Any] = {"bench": "assist", "database": connection.vendor, "model_version": emotion.MODEL_VERSION}
    result["load_average_start"] = [round(x, 2) for x in os.getloadavg()]
    result["emotion"] = {
        "test_chat": chat_figures("emotion_test", "test"),
        "test_questions": question_figures(),
        "dev_questions": question_figures("questions_dev", "dev"),
        "dev_chat": chat_figures("emotion_dev", "dev"),
    }
    if reviews > 0:
        result["emotion"]["dev_reviews"] = review_figures(reviews)
    result["intents"] = intent_figures()
    if rounds > 0 and per_round > 0:
        result["speed"] = {
            "rounds": rounds,
            "per_round": per_round,
            "analyze_function": analyze_speed(rounds, per_round),
            "api": api_speed(rounds, per_round),
        }
    result["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    result["seconds"] = round(time.perf_counter() - started, 1)
    return result
