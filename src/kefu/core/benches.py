"""Benchmarks of the core write path."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any
from unittest.mock import patch

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.db import connection, transaction

from kefu.core import clock
from kefu.core.bench import bench, rounds
from kefu.core.events import publish
from kefu.core.models import Stream, StreamEvent


def _as_in_the_server(fn: Any) -> Any:
    """Run ``fn`` the way a request runs under uvicorn: in a worker thread of a long-lived
    event loop, so doorbells hop to that loop (and reuse its Redis connection)."""

    def in_thread() -> Any:
        try:
            return fn()
        finally:
            connection.close()  # hand the connection back to the pool, as a request does

    def wrapped() -> Any:
        async def main() -> Any:
            return await sync_to_async(in_thread, thread_sensitive=False)()

        return asyncio.run(main())

    return wrapped


@bench(
    "events",
    "publish() of numbered stream events (one transaction each) against plain inserts of the same rows",
    events=(int, 500, "events per round"),
    streams=(int, 20, "streams the events are spread over"),
    repeat=(int, 5, "rounds; medians are reported"),
)
def events_bench(*, events: int, streams: int, repeat: int) -> dict[str, Any]:
    run = uuid.uuid4().hex[:8]
    keys = [f"bench:{run}:{i}" for i in range(max(1, streams))]
    now = clock.now()
    counter = {"seq": 0}

    def numbered() -> int:
        for i in range(events):
            with transaction.atomic():
                publish(keys[i % len(keys)], "bench", "created", {"i": i}, now=now)
        return events

    def baseline() -> int:
        # The same row written without the per-stream counter: what numbering costs on top.
        for i in range(events):
            counter["seq"] += 1
            with transaction.atomic():
                StreamEvent.objects.create(
                    stream_key=f"bench:{run}:plain",
                    seq=counter["seq"],
                    type="bench",
                    op="created",
                    payload={"i": i},
                    created_at=now,
                )
        return events

    def numbered_db_only() -> int:
        with patch("kefu.core.events._send", lambda messages: None):
            return numbered()

    try:
        base = rounds(_as_in_the_server(baseline), repeat=repeat)
        db_only = rounds(_as_in_the_server(numbered_db_only), repeat=repeat)
        result = rounds(_as_in_the_server(numbered), repeat=repeat)
        gap_free = all(
            list(StreamEvent.objects.filter(stream_key=k).order_by("seq").values_list("seq", flat=True))
            == list(range(1, StreamEvent.objects.filter(stream_key=k).count() + 1))
            for k in keys
        )
    finally:
        StreamEvent.objects.filter(stream_key__startswith=f"bench:{run}:").delete()
        Stream.objects.filter(key__startswith=f"bench:{run}:").delete()
    return {
        "bench": "events",
        "database": connection.vendor,
        "events_per_round": events,
        "streams": len(keys),
        "rounds": repeat,
        "channel_layer": type(get_channel_layer()).__name__,
        "publish": result,
        "publish_without_doorbell": db_only,
        "baseline_plain_insert": base,
        "ratio_publish_to_baseline": round(result["per_second_median"] / base["per_second_median"], 3),
        "ratio_publish_without_doorbell_to_baseline": round(
            db_only["per_second_median"] / base["per_second_median"], 3
        ),
        "ids_gap_free": gap_free,
    }
