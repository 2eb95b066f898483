from __future__ import annotations

import contextlib
import os
import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from kefu.core.runtime import Background

# The embedded worker yields the CPU to the web process it serves: delivery first, analysis after.
EMBEDDED_NICE = 10


def _watch_parent(parent: int, stop: threading.Event) -> None:
    """A worker started by ``kefu serve`` ends when that process is gone (even after SIGKILL)."""
    while not stop.wait(1.0):
        if os.getppid() != parent:
            stop.set()


class Command(BaseCommand):
    help = _("Scaled mode: run the job consumer and the timer sweeper (no web server).")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--workers", type=int, default=None)
        # Set by ``kefu serve``, whose child this worker is (embedded mode); not for people.
        parser.add_argument("--parent", type=int, default=0, help="(internal) the kefu serve process")
        parser.add_argument("--doorbell-fd", type=int, default=-1, help="(internal) where doorbells go")

    def handle(self, *args: Any, workers: int | None, parent: int, doorbell_fd: int, **options: Any) -> None:
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_a: stop.set())
        if parent:
            # Ctrl-C reaches the whole terminal's process group: the parent stops this child itself.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            with contextlib.suppress(OSError):
                os.nice(EMBEDDED_NICE)
            threading.Thread(target=_watch_parent, args=(parent, stop), daemon=True).start()
        else:
            signal.signal(signal.SIGINT, lambda *_a: stop.set())
        if doorbell_fd >= 0:
            from kefu.core.doorbell import install_forwarding

            install_forwarding(doorbell_fd)
        background = Background(workers=workers)
        background.start()
        if parent:
            self.stdout.write(f"kefu: jobs and timers run in their own process (pid {os.getpid()}).")
        else:
            self.stdout.write(self.style.SUCCESS("kefu worker: jobs and timers running; Ctrl-C stops."))
        self.stdout.flush()
        stop.wait()
        background.stop()
        if not parent:
            self.stdout.write("kefu worker: stopped.")
