"""Running kefu: embedded mode (``kefu serve``: a web process and its worker child) and the scaled
web / worker processes.

The web process serves only HTTP and WebSocket.  Jobs and timers — the customer-message analysis,
the quality inspection, the bot's turns — run in a worker: ``kefu worker`` when scaled, or in
embedded mode a child process that ``kefu serve`` starts (:class:`WorkerProcess`), restarts when it
dies and stops on its way out.  CPU-heavy work there never holds the web process's GIL.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import uvicorn
from django.conf import settings
from huey.consumer import Consumer

from kefu.core.tasks import HUEY, WORKER_STARTUP, WORKER_STATUS, SweeperThread

log = logging.getLogger(__name__)


POLL_MAX_S = 1.0


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
            # An idle SQLite queue is polled at most a second apart (Huey's default backs off to 10 s:
            # the first customer message after a quiet spell would wait that long for its analysis).
            max_delay=POLL_MAX_S,
        )
        self.sweeper = SweeperThread(settings.KEFU_SWEEP_INTERVAL)

    def start(self) -> None:
        self.consumer.start()
        self.sweeper.start()
        for fn in WORKER_STARTUP:
            threading.Thread(target=_quietly, args=(fn,), name="kefu-warmup", daemon=True).start()

    def stop(self) -> None:
        self.sweeper.stop()
        self.consumer.stop(graceful=True)
        self.sweeper.join(timeout=5)


def _quietly(fn: Callable[[], Any]) -> None:
    try:
        fn()
    except Exception:
        log.exception("worker start-up hook failed")


def forwards_doorbells() -> bool:
    """Does a worker child need to pass its doorbells to the web process (an in-process layer)?"""
    backend = str(settings.CHANNEL_LAYERS.get("default", {}).get("BACKEND", ""))
    return backend.endswith("InMemoryChannelLayer")


class WorkerProcess:
    """``kefu serve``'s job consumer and sweeper as a supervised child process (``kefu worker
    --parent PID``): started with the web server, restarted when it exits (after 1 s, doubling to
    30 s while it keeps failing), stopped with the web server.  With the in-memory channel layer its
    doorbells come back over a socket pair and are rung on the web server's event loop."""

    RESTART_MAX_S = 30.0

    def __init__(self, *, workers: int | None = None) -> None:
        self.workers = workers
        self.proc: subprocess.Popen[bytes] | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.restarts = 0
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._watcher: threading.Thread | None = None
        self._relays: set[Any] = set()  # the loop keeps only weak references to tasks

    def start(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        """Start the child; ``loop`` is the event loop whose sockets its doorbells ring."""
        self.loop = loop
        self._spawn()
        self._watcher = threading.Thread(target=self._watch, name="kefu-worker-supervisor", daemon=True)
        self._watcher.start()

    def _command(self) -> list[str]:
        args = [sys.executable, "-m", "kefu.cli", "worker", "--parent", str(os.getpid())]
        if self.workers:
            args += ["--workers", str(self.workers)]
        return args

    def _spawn(self) -> None:
        with self._lock:
            if self._stopping.is_set():
                return
            args, fds = self._command(), tuple[int, ...]()
            theirs: socket.socket | None = None
            if self.loop is not None and forwards_doorbells():
                ours, theirs = socket.socketpair()
                args += ["--doorbell-fd", str(theirs.fileno())]
                fds = (theirs.fileno(),)
                relaying = asyncio.run_coroutine_threadsafe(self._relay(ours), self.loop)
                self._relays.add(relaying)
                relaying.add_done_callback(self._relays.discard)
            self.proc = subprocess.Popen(args, pass_fds=fds)  # noqa: S603 - our own interpreter and module
            WORKER_STATUS.update(pid=self.proc.pid, restarts=self.restarts, mode="process")
            if theirs is not None:
                theirs.close()  # the child holds its copy

    @staticmethod
    async def _relay(sock: socket.socket) -> None:
        from kefu.core.doorbell import relay

        try:
            await relay(sock)
        except Exception:
            log.exception("doorbell relay stopped")

    def _watch(self) -> None:
        delay = 1.0
        while not self._stopping.is_set():
            proc = self.proc
            if proc is None:
                return
            started = time.monotonic()
            while proc.poll() is None and not self._stopping.wait(0.5):
                pass
            if self._stopping.is_set():
                return
            log.warning("worker process exited; restarting it", extra={"returncode": proc.returncode})
            if time.monotonic() - started > 60:
                delay = 1.0
            if self._stopping.wait(delay):
                return
            delay = min(delay * 2, self.RESTART_MAX_S)
            self.restarts += 1
            self._spawn()

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout: float = 10) -> None:
        with self._lock:
            self._stopping.set()
            proc = self.proc
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        if self._watcher is not None:
            self._watcher.join(timeout=2)


class WalCheckpointer(threading.Thread):
    """SQLite's write-ahead log copied back into the database file by a thread of its own (embedded mode).

    By default the connection whose commit grows the log past 1,000 pages does that copy, with an
    ``fsync``, before its commit returns: in the web process that is the group commit's one thread, and
    every message of the batches behind it waited (commits of 100–200 ms on a busy disk, ``kefu bench
    chat``).  While this thread runs, the web process's connections leave it to this thread, which
    checkpoints every ``every`` seconds (``PASSIVE``: never waits for readers or writers)."""

    def __init__(self, every: float = 1.0) -> None:
        super().__init__(name="kefu-wal-checkpoint", daemon=True)
        self.every = every
        self.stopping = threading.Event()

    def start(self) -> None:
        from django.db import connections
        from django.db.backends.signals import connection_created

        if connections["default"].vendor != "sqlite":
            return
        connection_created.connect(_leave_checkpoints_to_the_thread, dispatch_uid="kefu-wal-checkpoint")
        super().start()

    def run(self) -> None:
        from django.db import connection

        while not self.stopping.wait(self.every):
            try:
                with connection.cursor() as cursor:
                    cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
            except Exception:
                log.exception("WAL checkpoint failed")
        connection.close()

    def stop(self) -> None:
        self.stopping.set()


def _leave_checkpoints_to_the_thread(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint=0")


class Server(uvicorn.Server):
    """uvicorn's server, telling ``on_loop`` its event loop once it runs (the worker child's
    doorbells are rung there)."""

    def __init__(self, config: uvicorn.Config, on_loop: Callable[[asyncio.AbstractEventLoop], None]) -> None:
        super().__init__(config)
        self.on_loop = on_loop

    async def serve(self, sockets: list[socket.socket] | None = None) -> None:
        self.on_loop(asyncio.get_running_loop())
        await super().serve(sockets)


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
