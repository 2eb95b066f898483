"""``kefu bench webhooks``: what outgoing webhooks cost the event path (docs/webhooks.md).

Three runs of the same ``publish()`` of ticket-like events, one transaction each:

* **baseline**: no active endpoint;
* **unsubscribed**: an active endpoint subscribed to another event type (the set lookup only);
* **subscribed**: an active endpoint subscribed to these events (after each commit the keys go
  to the process's flusher, which enqueues one fan-out job per ``FLUSH_INTERVAL`` on the
  configured queue; with the suite's immediate queue, the fan-out itself runs inline).

No endpoint is contacted: the URL is a discard address and the endpoint is deleted at the end
(with any deliveries a running worker made meanwhile).
"""

from __future__ import annotations

import statistics
import uuid
from typing import Any

from django.db import connection, transaction

from kefu.core import clock
from kefu.core.bench import bench, rounds
from kefu.core.events import publish
from kefu.core.models import Stream, StreamEvent
from kefu.core.tasks import HUEY
from kefu.webhooks.hooks import flush, forget_subscriptions
from kefu.webhooks.models import Endpoint


@bench(
    "webhooks",
    "publish() with no endpoint (baseline), an unsubscribed endpoint, and a subscribed one "
    "(fan-out enqueued after commit)",
    events=(int, 300, "events per round"),
    repeat=(int, 5, "rounds; medians are reported"),
)
def webhooks_bench(*, events: int, repeat: int) -> dict[str, Any]:
    run = uuid.uuid4().hex[:8]
    now = clock.now()

    def publishing() -> int:
        for i in range(events):
            with transaction.atomic():
                publish(f"bench:{run}:{i % 10}", "bench", "created", {"i": i}, now=now)
        return events

    endpoint = Endpoint.objects.create(
        name=f"bench {run}",
        url="http://127.0.0.1:9/",  # discard: never reached by this bench
        secret="bench-secret-0123456789",  # noqa: S106 - a throwaway endpoint's secret
        event_types=["agent.presence"],
        created_at=now,
        active=False,
    )
    # The three configurations take turns, round by round, so a noisy machine hits them alike.
    configs = {
        "baseline": {"active": False, "event_types": ["agent.presence"]},
        "unsubscribed": {"active": True, "event_types": ["agent.presence"]},
        "subscribed": {"active": True, "event_types": ["bench.created"]},
    }
    samples: dict[str, list[dict[str, float]]] = {name: [] for name in configs}
    queued_before = HUEY.storage.queue_size() if not HUEY.immediate else 0
    try:
        for _ in range(repeat):
            for name, fields in configs.items():
                Endpoint.objects.filter(pk=endpoint.pk).update(**fields)
                forget_subscriptions()
                samples[name].append(rounds(publishing, repeat=1))
        flush()
        jobs = (HUEY.storage.queue_size() - queued_before) if not HUEY.immediate else None
    finally:
        Endpoint.objects.filter(pk=endpoint.pk).delete()
        forget_subscriptions()
        StreamEvent.objects.filter(stream_key__startswith=f"bench:{run}:").delete()
        Stream.objects.filter(key__startswith=f"bench:{run}:").delete()

    def summary(runs: list[dict[str, float]]) -> dict[str, float]:
        rates = [r["per_second_median"] for r in runs]
        return {
            "per_second_median": round(statistics.median(rates), 1),
            "per_second_min": round(min(rates), 1),
            "per_second_max": round(max(rates), 1),
            "us_per_op_median": round(1e6 / statistics.median(rates), 1),
        }

    baseline, unsubscribed, subscribed = (summary(samples[n]) for n in configs)
    return {
        "bench": "webhooks",
        "database": connection.vendor,
        "queue": "immediate" if HUEY.immediate else type(HUEY).__name__,
        "events_per_round": events,
        "rounds": repeat,
        "baseline_no_endpoint": baseline,
        "unsubscribed_endpoint": unsubscribed,
        "subscribed_endpoint": subscribed,
        "ratio_unsubscribed_to_baseline": round(unsubscribed["per_second_median"] / baseline["per_second_median"], 3),
        "ratio_subscribed_to_baseline": round(subscribed["per_second_median"] / baseline["per_second_median"], 3),
        "fan_out_jobs_enqueued": jobs,
    }
