import io
import json

import pytest
from django.core.management import call_command


@pytest.mark.django_db(transaction=True)
def test_bench_webhooks_runs_small_and_cleans_up():
    out = io.StringIO()
    call_command("bench", "webhooks", "--events", "10", "--repeat", "2", stdout=out)
    result = json.loads(out.getvalue())
    assert result["bench"] == "webhooks"
    assert result["queue"] == "immediate"
    for key in ("baseline_no_endpoint", "unsubscribed_endpoint", "subscribed_endpoint"):
        assert result[key]["per_second_median"] > 0
    assert result["ratio_subscribed_to_baseline"] > 0
    from kefu.core.models import StreamEvent
    from kefu.webhooks.models import Delivery, Endpoint

    assert not Endpoint.objects.exists()
    assert not Delivery.objects.exists()
    assert not StreamEvent.objects.filter(stream_key__startswith="bench:").exists()
