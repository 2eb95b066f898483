"""``kefu bench lint`` is registered (found by the bench command's discovery of ``*_bench`` modules) and
runs at a tiny size: quality per data role, and latency against the substring baseline of the same run."""

from __future__ import annotations

import json
from io import StringIO

from django.core.management import call_command

from kefu.core.bench import BENCHES


def test_bench_lint_runs_at_a_tiny_size():
    # Given the bench command, when `kefu bench lint` runs on 5 bad and 5 clean drafts of each set,
    out = StringIO()
    call_command("bench", "lint", "--rounds", "1", "--limit", "5", stdout=out)
    figures = json.loads(out.getvalue())
    # then it reports recall and false alarms for the dev and the test role, without listing test errors,
    assert "lint" in BENCHES
    assert set(figures["quality"]) == {"dev", "test"}
    for role, q in figures["quality"].items():
        assert q["role"] == role
        assert q["bad_drafts"] == 5
        assert q["clean_replies"] == 5
        assert 0.0 <= q["recall"] <= 1.0
        assert 0.0 <= q["false_alarm_rate"] <= 1.0
        assert "misses" not in q
    # and a latency median per draft with the baseline measured in the same run, and the load average.
    latency = figures["latency"]
    assert latency["lint_us_per_draft_median"] > 0
    assert latency["baseline_substring_scan_us_per_draft_median"] > 0
    assert latency["ratio_lint_to_baseline"] > 0
    assert len(figures["load_average"]) == 3


def test_dev_errors_are_listed_on_request_but_never_the_test_sets():
    out = StringIO()
    call_command("bench", "lint", "--rounds", "1", "--limit", "3", "--show-errors", "1", stdout=out)
    quality = json.loads(out.getvalue())["quality"]
    assert "misses" in quality["dev"]
    assert "false_alarms" in quality["dev"]
    assert "misses" not in quality["test"]
    assert "false_alarms" not in quality["test"]
