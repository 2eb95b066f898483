import io
import json

import pytest
from django.core.management import call_command

from kefu.conversations.models import Channel, Message
from kefu.finder.models import MessageDoc


@pytest.mark.django_db
def test_bench_search_messages_prints_medians_baselines_write_ratio_and_cleans_up():
    messages = Message.objects.count()
    # When the message-search bench runs at a tiny size,
    out = io.StringIO()
    call_command(
        "bench", "search-messages", "--messages", "500", "--rounds", "2", "--write-batches", "2", stdout=out
    )  # fmt: skip
    result = json.loads(out.getvalue())
    # then it reports the search and both baselines as medians over rounds,
    assert result["bench"] == "search-messages"
    assert result["built"] == 500
    assert result["tokens_verified_against_index_messages"] is True
    for key in ("search_messages_newest_20", "baseline_primary_key_lookup", "baseline_like_over_newest_10k"):
        assert result[key]["p50_ms"] > 0
        assert result[key]["p99_ms"] >= result[key]["p50_ms"]
        assert len(result[key]["per_round_p99_ms"]) == 2
    assert result["median_hits_per_query"] > 0
    # the write cost with and without the index, per batch size,
    for size in ("batch_1", "batch_50"):
        assert result["write"][size]["us_per_message_with_index"] > 0
        assert result["write"][size]["ratio"] > 0
    assert len(result["load_average"]) == 3
    # and leaves no bench message behind.
    assert not Channel.objects.filter(key="bench-search-messages").exists()
    assert Message.objects.count() == messages
    assert not MessageDoc.objects.exclude(message_id__in=Message.objects.values("pk")).exists()
