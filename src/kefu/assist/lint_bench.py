"""``kefu bench lint``: how well and how fast the reply lint judges drafts it was not written from.

Quality, per data role (the roles are in the file names and in the output):

* ``dev`` — ``assist/data/lint_dev.jsonl``: the drafts the patterns were tuned on;
* ``test`` — ``assist/data/lint_test.jsonl``: written and committed (frozen) before the lint was tuned,
  looked at only to report.

Each row is ``{"text", "expected": [behaviour, …] or [] for a clean reply, "shop", "script"}``.  Recall:
the share of bad drafts with a finding of one of their expected behaviours (``recall_any_finding``
counts any finding); per behaviour, the share of drafts labelled with it that get a finding of it.
False alarms: the share of clean replies with any finding.  Measured with the shipped phrase list, as on
a fresh install, so no database is read.

Speed: the median time per draft over ``rounds`` rounds, against a baseline measured in the same run —
the plain scan of the shipped phrases as substrings of the folded draft (what a phrase list alone costs).
"""

from __future__ import annotations

import json
import os
import statistics
import time
from collections import Counter
from importlib import resources
from typing import Any

from kefu.assist.lint import Phrase, lint, shipped_phrases
from kefu.assist.textspan import aligned_fold
from kefu.core.bench import bench

ROLES = ("dev", "test")

# The labels of the data files → the lint's rule codes.
LABELS = {
    "refuse": "refusing",
    "shirk": "shirking",
    "command": "commanding",
    "argue": "arguing",
    "promise": "casual_promise",
    "blame": "blaming",
    "indifference": "indifferent",
}


def drafts(role: str) -> list[dict[str, Any]]:
    """The labelled drafts of ``role`` (``dev`` or ``test``)."""
    if role not in ROLES:
        raise ValueError(role)
    text = resources.files("kefu.assist").joinpath(f"data/lint_{role}.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def evaluate(role: str, *, phrases: list[Phrase] | None = None, limit: int | None = None) -> dict[str, Any]:
    """Recall and false alarms of the lint on the drafts of ``role`` (``limit`` keeps the first N bad and
    N clean rows, for the suite's tiny run)."""
    rows = drafts(role)
    listed = shipped_phrases() if phrases is None else phrases
    bad = [r for r in rows if r["expected"]]
    clean = [r for r in rows if not r["expected"]]
    if limit is not None:
        bad, clean = bad[:limit], clean[:limit]
    caught = flagged = 0
    per_label: Counter[str] = Counter()
    per_label_caught: Counter[str] = Counter()
    misses: list[dict[str, Any]] = []
    for row in bad:
        rules = {v.rule for v in lint(row["text"], phrases=listed)}
        wanted = {LABELS[label] for label in row["expected"]}
        flagged += bool(rules)
        caught += bool(rules & wanted)
        for label in wanted:
            per_label[label] += 1
            per_label_caught[label] += label in rules
        if not rules & wanted:
            misses.append({"text": row["text"], "expected": sorted(wanted), "found": sorted(rules)})
    false_alarms: list[dict[str, Any]] = []
    per_script: Counter[str] = Counter()
    per_script_alarm: Counter[str] = Counter()
    for row in clean:
        found = lint(row["text"], phrases=listed)
        per_script[row["script"]] += 1
        if found:
            per_script_alarm[row["script"]] += 1
            false_alarms.append({"text": row["text"], "found": [f"{v.rule}:{v.text}" for v in found]})
    return {
        "role": role,
        "bad_drafts": len(bad),
        "clean_replies": len(clean),
        "recall": _ratio(caught, len(bad)),
        "recall_any_finding": _ratio(flagged, len(bad)),
        "false_alarm_rate": _ratio(len(false_alarms), len(clean)),
        "recall_by_behaviour": {k: _ratio(per_label_caught[k], n) for k, n in sorted(per_label.items())},
        "drafts_by_behaviour": dict(sorted(per_label.items())),
        "false_alarm_rate_by_script": {k: _ratio(per_script_alarm[k], n) for k, n in sorted(per_script.items())},
        "misses": misses,
        "false_alarms": false_alarms,
    }


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def substring_scan(text: str, folded_phrases: list[str]) -> list[str]:
    """The baseline: which listed phrases occur in the folded draft, as plain substrings."""
    folded = aligned_fold(text)
    return [p for p in folded_phrases if p in folded]


def latency(texts: list[str], *, rounds: int) -> dict[str, Any]:
    """Median µs per draft of the lint and of the baseline substring scan, in the same run."""
    listed = shipped_phrases()
    folded_phrases = [aligned_fold(p.phrase) for p in listed]
    for t in texts[:20]:  # warm the compiled patterns and the folding converter
        lint(t, phrases=listed)
        substring_scan(t, folded_phrases)
    lint_us: list[float] = []
    base_us: list[float] = []
    for _ in range(rounds):
        start = time.perf_counter()
        for t in texts:
            lint(t, phrases=listed)
        lint_us.append((time.perf_counter() - start) / len(texts) * 1e6)
        start = time.perf_counter()
        for t in texts:
            substring_scan(t, folded_phrases)
        base_us.append((time.perf_counter() - start) / len(texts) * 1e6)
    lint_median = statistics.median(lint_us)
    base_median = statistics.median(base_us)
    return {
        "drafts_per_round": len(texts),
        "rounds": rounds,
        "mean_chars_per_draft": round(sum(map(len, texts)) / len(texts), 1),
        "lint_us_per_draft_median": round(lint_median, 1),
        "baseline_substring_scan_us_per_draft_median": round(base_median, 1),
        "ratio_lint_to_baseline": round(lint_median / base_median, 2) if base_median else None,
        "lint_drafts_per_second_median": round(1e6 / lint_median, 1) if lint_median else None,
    }


@bench(
    "lint",
    "Reply lint: recall and false alarms per behaviour on the dev and the frozen test drafts, and latency per "
    "draft against a plain phrase-substring scan in the same run.",
    rounds=(int, 7, "timing rounds (the median is reported)"),
    limit=(int, 0, "keep only the first N bad and N clean drafts of each set (0: all)"),
    show_errors=(int, 0, "list the misses and false alarms of the dev set (never of the test set)"),
)
def lint_bench(rounds: int, limit: int, show_errors: int) -> dict[str, Any]:
    quality = {role: evaluate(role, limit=limit or None) for role in ROLES}
    if not show_errors:
        for figures in quality.values():
            figures.pop("misses")
            figures.pop("false_alarms")
    else:
        quality["test"].pop("misses")
        quality["test"].pop("false_alarms")
    texts = [r["text"] for role in ROLES for r in drafts(role)]
    if limit:
        texts = texts[: max(limit * 4, 20)]
    return {
        "bench": "lint",
        "quality": quality,
        "latency": latency(texts, rounds=rounds),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
