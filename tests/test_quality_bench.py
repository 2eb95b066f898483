"""``kefu bench quality`` runs in the suite at a tiny size, so its code cannot rot: stored, analysed
conversations, medians of rounds, a baseline in the same run, and the database left as it was."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from kefu.quality.rules import RULES


@pytest.mark.django_db
def test_bench_quality_prints_medians_a_baseline_and_the_share_of_each_rule():
    from kefu.assist.models import MessageEmotion
    from kefu.conversations.models import Conversation, Message
    from kefu.quality.models import Inspection

    before = (Conversation.objects.count(), Message.objects.count(), MessageEmotion.objects.count())
    out = io.StringIO()
    # Given a tiny run (8 conversations, 2 rounds),
    call_command("bench", "quality", "--count", "8", "--rounds", "2", stdout=out)
    result = json.loads(out.getvalue())
    # then it inspected stored conversations of 10–30 messages, each customer message with a stored analysis,
    assert result["bench"] == "quality"
    assert result["conversations"] == 8
    assert 8 * 10 <= result["messages"] <= 8 * 30
    assert sum(result["customer_analyses_stored"].values()) > 0
    assert result["analysis_pending"] == 0
    # with all seven rules, a median rate, a baseline from the same run and their ratio,
    assert result["rules"] == list(RULES)
    assert result["inspect"]["conversations_per_second_median"] > 0
    assert result["baseline_read"]["conversations_per_second_median"] > 0
    ratio = (
        result["inspect"]["conversations_per_second_median"]
        / result["baseline_read"]["conversations_per_second_median"]
    )
    assert result["ratio_inspect_to_baseline"] == pytest.approx(ratio, abs=0.01)
    assert result["inspect_and_store_conversations_per_second"] > 0
    assert result["rules_ms_per_conversation"]["p50"] <= result["rules_ms_per_conversation"]["p99"]
    whole = result["ms_per_conversation_with_its_share_of_the_read"]
    assert result["rules_ms_per_conversation"]["p50"] < whole["p50"] <= whole["p99"]
    # each rule's share of the time, the database and the load average,
    assert set(result["share_of_rule_time"]) == set(RULES)
    assert abs(sum(result["share_of_rule_time"].values()) - 1) < 0.01
    assert result["database"] in {"sqlite", "postgresql"}
    assert len(result["load_average_before"]) == 3
    # and the database is left as it was.
    assert (Conversation.objects.count(), Message.objects.count(), MessageEmotion.objects.count()) == before
    assert not Inspection.objects.exists()


@pytest.mark.django_db
def test_bench_quality_without_the_lint_cache_lints_every_agent_message():
    out = io.StringIO()
    # Given the worst case asked for (no lint cache), then no lint call is a cache hit.
    call_command("bench", "quality", "--count", "4", "--rounds", "1", "--lint-cache", "0", stdout=out)
    result = json.loads(out.getvalue())
    assert result["lint_cache"] is False
    assert result["lint_calls_last_round"] > 0
    assert result["lint_cache_hits_last_round"] == 0
