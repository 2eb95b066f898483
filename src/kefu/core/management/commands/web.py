from __future__ import annotations

import contextlib
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from kefu.core.runtime import uvicorn_config


class Command(BaseCommand):
    help = _("Scaled mode: serve HTTP and WebSocket with uvicorn workers (no jobs, no timers).")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=settings.ENV.host)
        parser.add_argument("--port", type=int, default=settings.ENV.port)
        parser.add_argument("--workers", type=int, default=settings.ENV.web_concurrency)

    def handle(self, *args: Any, host: str, port: int, workers: int, **options: Any) -> None:
        import uvicorn

        if workers > 1 and not settings.ENV.redis_url:
            self.stderr.write(
                "kefu web: warning: several workers without KEFU_REDIS_URL cannot reach each other's WebSocket "
                "clients; set KEFU_REDIS_URL (see README, Scaling)."
            )

        with contextlib.suppress(KeyboardInterrupt):  # uvicorn re-raises Ctrl-C after shutting down
            uvicorn.run("kefu.config.asgi:application", workers=workers, **uvicorn_config(host, port))
