"""Running kefu: the embedded single process and the scaled web / worker processes."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from huey.consumer import Consumer

from kefu.core.tasks import HUEY, SweeperThread

log = logging.getLogger(__name__)


class EmbeddedConsumer(Consumer):
    """Huey's consumer without its own signal handlers: in ``kefu serve`` the web server
    owns SIGINT/SIGTERM and stops the consumer on its way out."""

    def _set_signal_handlers(self) -> None:
        return None


class Background:
    """The job consumer and the timer sweeper, as threads of the current process."""

    def __init__(self, *, workers: int | None = None) -> None:
        self.consumer = EmbeddedConsumer(
            HUEY,
            workers=workers or settings.KEFU_TASKS["workers"],
            worker_type="thread",
            periodic=True,
            check_worker_health=False,
        )
        self.sweeper = SweeperThread(settings.KEFU_SWEEP_INTERVAL)

    def start(self) -> None:
        self.consumer.start()
        self.sweeper.start()

    def stop(self) -> None:
        self.sweeper.stop()
        self.consumer.stop(graceful=True)
        self.sweeper.join(timeout=5)


def uvicorn_config(host: str, port: int, **extra: Any) -> dict[str, Any]:
    return {
        "host": host,
        "port": port,
        "lifespan": "off",
        "ws": "websockets-sansio",
        "log_config": None,  # Django's LOGGING (JSON) handles uvicorn's loggers too
        "timeout_graceful_shutdown": 5,
        # Chat frames are a few hundred bytes: compressing each costs more CPU than it saves.
        "ws_per_message_deflate": False,
        **extra,
    }
