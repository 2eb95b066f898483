"""GET /healthz: the status of the database, the channel layer and the job queue."""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any

from asgiref.sync import async_to_sync
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from kefu import __version__

log = logging.getLogger(__name__)


def _check_database() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"vendor": connection.vendor}


async def _layer_roundtrip() -> dict[str, Any]:
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer configured")
    channel = await layer.new_channel("healthz.")
    token = uuid.uuid4().hex
    await layer.send(channel, {"type": "healthz", "token": token})
    message = await asyncio.wait_for(layer.receive(channel), timeout=2)
    if message.get("token") != token:
        raise RuntimeError("channel layer returned a different message")
    return {"backend": type(layer).__name__}


def _check_channel_layer() -> dict[str, Any]:
    return async_to_sync(_layer_roundtrip)()


def _check_queue() -> dict[str, Any]:
    from kefu.core.tasks import queue_status

    return queue_status()


CHECKS = {"database": _check_database, "channel_layer": _check_channel_layer, "job_queue": _check_queue}


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    results: dict[str, dict[str, Any]] = {}
    healthy = True
    for name, check in CHECKS.items():
        try:
            results[name] = {"status": "ok", **check()}
        except Exception as exc:  # report every failing part, never crash the probe
            healthy = False
            results[name] = {"status": "error", "error": f"{type(exc).__name__}: {exc}"[:300]}
            log.warning("health check failed", extra={"check": name, "error": str(exc)[:300]})
    body = {"status": "ok" if healthy else "error", "version": __version__, "checks": results}
    return JsonResponse(body, status=200 if healthy else 503, json_dumps_params={"ensure_ascii": False})
