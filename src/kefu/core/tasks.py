"""One job queue, one task decorator, one sweeper registry.

* Embedded: ``SqliteHuey`` in ``var/jobs.sqlite3``; scaled: ``PriorityRedisHuey`` on
  ``KEFU_REDIS_URL``.  Tests run tasks immediately (in memory).
* Tasks take ids, not model instances (rule 8): :meth:`Task.enqueue` refuses anything but
  plain JSON-like values, and every task has an explicit name and retry policy.
* Timers are data (rule 7): a *sweeper* is a function of ``now`` that fires what is due,
  idempotently; :func:`sweep_once` runs all of them and ``kefu serve`` / ``kefu worker``
  call it every ``KEFU_SWEEP_INTERVAL`` seconds.
"""

from __future__ import annotations

import importlib
import logging
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import close_old_connections
from huey import Huey, PriorityRedisHuey, SqliteHuey

from kefu.core import clock
from kefu.core.events import publish_on_commit

log = logging.getLogger(__name__)

_PLAIN = (int, str, float, bool, type(None))


def _build_huey() -> Huey:
    cfg = settings.KEFU_TASKS
    if cfg.get("immediate"):
        return Huey("kefu", immediate=True)
    if cfg["backend"] == "redis":
        return PriorityRedisHuey(str(cfg.get("name") or "kefu"), url=cfg["redis_url"])
    from pathlib import Path

    Path(str(cfg["sqlite_path"])).parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("kefu", filename=cfg["sqlite_path"])


HUEY: Huey = _build_huey()


def _check_plain(value: Any, where: str) -> None:
    if isinstance(value, _PLAIN):
        return
    if isinstance(value, list | tuple):
        for item in value:
            _check_plain(item, where)
        return
    if isinstance(value, dict):
        for key, item in value.items():
            _check_plain(key, where)
            _check_plain(item, where)
        return
    raise TypeError(f"{where}: tasks take ids and plain values, not {type(value).__name__}")


class Task:
    """A named job with a retry policy; call :meth:`enqueue` or :meth:`on_commit`."""

    def __init__(self, name: str, fn: Callable[..., Any], *, retries: int, retry_delay: int) -> None:
        self.name = name
        self.fn = fn

        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            finally:
                if not HUEY.immediate:
                    close_old_connections()

        run.__name__ = fn.__name__
        self._huey_task = HUEY.task(name=name, retries=retries, retry_delay=retry_delay)(run)

    def enqueue(self, *args: Any, **kwargs: Any) -> Any:
        _check_plain(list(args), self.name)
        _check_plain(kwargs, self.name)
        return self._huey_task(*args, **kwargs)

    def on_commit(self, *args: Any, **kwargs: Any) -> None:
        """Enqueue after the current transaction commits (rule 4)."""
        _check_plain(list(args), self.name)
        _check_plain(kwargs, self.name)
        publish_on_commit(lambda: self._huey_task(*args, **kwargs))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Run in this process, now (for tests and the CLI)."""
        return self.fn(*args, **kwargs)

    def coalesced(self, *, interval: float) -> Coalesced:
        """A trigger for this argument-less task that enqueues it at most once per ``interval`` seconds
        in this process, and always once more after the last request (see :class:`Coalesced`)."""
        return Coalesced(self, interval)


class Coalesced:
    """Many requests, few jobs: for a task that drains whatever is pending (``assist.analyze_pending``).

    :meth:`request` (call it after commit) only sets a flag; a daemon thread of this process enqueues
    the task, then waits ``interval`` seconds before it looks at the flag again.  Every request is
    followed by an enqueue that happens after it, so the job sees what the request's transaction wrote;
    the enqueue itself (a write to the queue's storage) never runs on the caller's thread.
    With an immediate queue (tests) :meth:`request` runs the task at once."""

    def __init__(self, task: Task, interval: float) -> None:
        self.task = task
        self.interval = interval
        self._wanted = threading.Event()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def request(self) -> None:
        if HUEY.immediate:
            self.task.enqueue()
            return
        self._wanted.set()
        if self._thread is None or not self._thread.is_alive():
            with self._start_lock:
                if self._thread is None or not self._thread.is_alive():
                    self._thread = threading.Thread(target=self._run, name=f"kefu-{self.task.name}", daemon=True)
                    self._thread.start()

    def _run(self) -> None:
        while True:
            self._wanted.wait()
            self._wanted.clear()
            try:
                self.task.enqueue()
            except Exception:  # the storage was busy or gone: try again with the next request
                log.exception("enqueue failed", extra={"task": self.task.name})
                self._wanted.set()
            time.sleep(self.interval)


def task(name: str, *, retries: int = 3, retry_delay: int = 10) -> Callable[[Callable[..., Any]], Task]:
    def decorate(fn: Callable[..., Any]) -> Task:
        return Task(name, fn, retries=retries, retry_delay=retry_delay)

    return decorate


Sweeper = Callable[[datetime], int]
SWEEPERS: dict[str, Sweeper] = {}


def sweeper(name: str) -> Callable[[Sweeper], Sweeper]:
    """Register a function ``fn(now) -> number fired`` that the sweeper loop calls."""

    def decorate(fn: Sweeper) -> Sweeper:
        SWEEPERS[name] = fn
        return fn

    return decorate


def sweep_once(now: datetime | None = None) -> dict[str, int]:
    now = now or clock.now()
    fired: dict[str, int] = {}
    for name, fn in SWEEPERS.items():
        try:
            fired[name] = fn(now)
        except Exception:
            log.exception("sweeper failed", extra={"sweeper": name})
            fired[name] = -1
    return fired


def name_os_thread(name: str) -> None:
    """Give the calling thread its name in the operating system too (``top -H``, ``/proc/<pid>/task``)."""
    if sys.platform != "linux":
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None)
        libc.prctl(15, name.encode()[:15], 0, 0, 0)  # PR_SET_NAME
    except (OSError, AttributeError):
        return


class SweeperThread(threading.Thread):
    def __init__(self, interval: float) -> None:
        super().__init__(name="kefu-sweeper", daemon=True)
        self.interval = interval
        self.stopping = threading.Event()

    def run(self) -> None:
        name_os_thread(self.name)
        while not self.stopping.is_set():
            fired = sweep_once()
            if any(v for v in fired.values()):
                log.info("sweep", extra={"fired": fired})
            close_old_connections()
            self.stopping.wait(self.interval)

    def stop(self) -> None:
        self.stopping.set()


# Functions a worker (``kefu worker``, ``kefu serve``'s child) runs once in a thread when it starts,
# e.g. loading the models its jobs need before the first job waits for them.
WORKER_STARTUP: list[Callable[[], Any]] = []


def on_worker_start(fn: Callable[[], Any]) -> Callable[[], Any]:
    if fn not in WORKER_STARTUP:
        WORKER_STARTUP.append(fn)
    return fn


# Who consumes the jobs, as this process knows it (``kefu serve`` fills it in; /healthz shows it).
WORKER_STATUS: dict[str, Any] = {}


def autodiscover() -> None:
    """Import every kefu app's ``tasks`` module so its tasks and sweepers register."""
    for config in apps.get_app_configs():
        if config.name.startswith("kefu.") and config.name != "kefu.core":
            try:
                importlib.import_module(f"{config.name}.tasks")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.tasks":
                    raise


def queue_status() -> dict[str, Any]:
    """For /healthz: can the job queue's storage be reached?"""
    storage = HUEY.storage
    pending = storage.queue_size()
    status: dict[str, Any] = {"backend": type(HUEY).__name__, "pending": pending}
    if WORKER_STATUS:
        status["worker"] = dict(WORKER_STATUS)
    return status
