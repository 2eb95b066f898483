from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from kefu.core.runtime import Background


class Command(BaseCommand):
    help = _("Scaled mode: run the job consumer and the timer sweeper (no web server).")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--workers", type=int, default=None)

    def handle(self, *args: Any, workers: int | None, **options: Any) -> None:
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_a: stop.set())
        background = Background(workers=workers)
        background.start()
        self.stdout.write(self.style.SUCCESS("kefu worker: jobs and timers running; Ctrl-C stops."))
        stop.wait()
        background.stop()
        self.stdout.write("kefu worker: stopped.")
