"""The worker's side: fan out stored events into deliveries, and send what is due.

* ``webhooks.fan_out`` (enqueued after the event's commit by :mod:`kefu.webhooks.hooks`) writes
  one pending delivery per subscribed endpoint; no network.
* The ``webhooks.deliver`` sweeper (every ``KEFU_SWEEP_INTERVAL`` s in the worker) leases due
  deliveries and enqueues one ``webhooks.send`` job each, so a slow endpoint holds one job thread
  for at most the timeout and never the sweeper, the chat or any other timer.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kefu.core import clock
from kefu.core.tasks import sweeper, task
from kefu.webhooks import actions, sending
from kefu.webhooks.choices import DeliveryStatus
from kefu.webhooks.models import Delivery


@task("webhooks.fan_out", retries=3, retry_delay=10)
def fan_out(keys: list[list[Any]]) -> int:
    return actions.do_fan_out([(str(k[0]), int(k[1])) for k in keys], now=clock.now())


@task("webhooks.send", retries=0, retry_delay=0)
def send(delivery_id: int) -> str:
    delivery = Delivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != DeliveryStatus.PENDING:
        return "skipped"
    endpoint = delivery.endpoint
    if not endpoint.active:
        result = sending.Result(None, "endpoint inactive", "", 0)
    elif not endpoint.secret:
        result = sending.Result(None, "signing secret cannot be decrypted (KEFU_ENCRYPTION_KEY changed?)", "", 0)
    else:
        result = sending.post(
            endpoint.url,
            endpoint.secret,
            event_type=delivery.event_type,
            delivery_id=delivery.pk,
            payload=delivery.payload,
        )
    actions.do_record_attempt(
        delivery.pk,
        now=clock.now(),
        status_code=result.status_code,
        error=result.error,
        excerpt=result.excerpt,
        ms=result.ms,
    )
    return result.error or "delivered"


@sweeper("webhooks.deliver")
def deliver_due(now: datetime) -> int:
    lease = int(sending.timeout_seconds()) + 60
    ids = actions.do_claim_due(now=now, lease=lease)
    for delivery_id in ids:
        send.enqueue(delivery_id)
    return len(ids)


@sweeper("webhooks.prune")
def prune(now: datetime) -> int:
    return actions.do_prune_deliveries(now=now)
