"""Small settings read on hot paths, kept per process (the forbidden phrases and the assist settings that
every agent reply is checked against).

A :class:`ProcessMemo` holds what its loader last read from the database and reads again when

- a row of one of its models is saved or deleted in this process (the admin, an action) — at once and
  again after that transaction commits, so a reader never keeps what it read before the commit;
- ``ttl`` seconds have passed: another process (a second ``kefu web``) changed the rows;
- the caller is inside a transaction (``atomic``): what it reads there may be its own uncommitted
  change, or be rolled back (tests), so it is neither served from nor kept in the memo.

Writes made without signals (``QuerySet.update``, ``bulk_create``) are seen after ``ttl`` at the latest;
call :meth:`ProcessMemo.clear` after them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save

T = TypeVar("T")


class ProcessMemo(Generic[T]):
    def __init__(self, load: Callable[[], T], *, models: tuple[str, ...] = (), ttl: float = 5.0) -> None:
        """``models``: ``"app_label.ModelName"`` whose saves and deletes make the memo read again."""
        self.load = load
        self.ttl = ttl
        self._generation = 0
        self._entry: tuple[int, float, T] | None = None
        self._lock = threading.Lock()
        for model in models:
            uid = f"kefu.memo.{id(self)}.{model}"
            post_save.connect(self._changed, sender=model, weak=False, dispatch_uid=f"{uid}.save")
            post_delete.connect(self._changed, sender=model, weak=False, dispatch_uid=f"{uid}.delete")

    def get(self) -> T:
        if connection.in_atomic_block:
            return self.load()
        entry = self._entry
        if entry is not None and entry[0] == self._generation and time.monotonic() - entry[1] < self.ttl:
            return entry[2]
        generation = self._generation
        value = self.load()
        with self._lock:
            if generation == self._generation:  # nothing changed while it was read
                self._entry = (generation, time.monotonic(), value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._generation += 1
            self._entry = None

    def _changed(self, *args: Any, **kwargs: Any) -> None:
        self.clear()
        transaction.on_commit(self.clear, using=kwargs.get("using"))
