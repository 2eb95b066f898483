import io
import json

import pytest
from django.core.management import call_command


@pytest.mark.django_db(transaction=True)
def test_bench_events_prints_json_with_medians_and_a_baseline():
    out = io.StringIO()
    call_command("bench", "events", "--events", "20", "--streams", "3", "--repeat", "2", stdout=out)
    result = json.loads(out.getvalue())
    assert result["bench"] == "events"
    assert result["ids_gap_free"] is True
    assert result["publish"]["per_second_median"] > 0
    assert result["baseline_plain_insert"]["per_second_median"] > 0
    assert result["ratio_publish_to_baseline"] > 0
    # and it cleans up after itself
    from kefu.core.models import Stream, StreamEvent

    assert not StreamEvent.objects.filter(stream_key__startswith="bench:").exists()
    assert not Stream.objects.filter(key__startswith="bench:").exists()
