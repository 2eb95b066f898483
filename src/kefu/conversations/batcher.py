"""Group commit for the live sockets: messages arriving on any WebSocket of this process
while the previous batch is being written are stored together, in one transaction
(:func:`kefu.conversations.actions.post_many`).  Nobody waits on a timer: a lone message is
written at once; under load, batches grow by themselves and the cost per message falls.
Each sender still gets its own result, and its acknowledgement only after the commit.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from typing import Any

from channels.db import database_sync_to_async
from django.utils.translation import gettext as _

from kefu.conversations.actions import Post, PostResult, post_many
from kefu.core import clock
from kefu.core.errors import ValidationFailed
from kefu.core.events import Deferred, doorbells_deferred

MAX_BATCH = 200
log = logging.getLogger(__name__)


class NotStored(ValidationFailed):
    code = "not_stored"


def _store(posts: list[Post]) -> list[PostResult]:
    return post_many(posts, now=clock.now())


async def _commit(posts: list[Post]) -> list[PostResult]:
    """``_store`` on the database thread; the batch's doorbells are handed to the loop when it returns
    (kefu.core.events.Deferred), not with a wake-up of the loop from the thread."""
    deferred = Deferred()
    try:
        return await database_sync_to_async(doorbells_deferred)(deferred, _store, posts)
    finally:
        deferred.kick()


class Batcher:
    def __init__(self) -> None:
        self.waiting: list[tuple[Post, asyncio.Future[PostResult]]] = []
        self.running = False

    async def submit(self, post: Post) -> PostResult:
        future: asyncio.Future[PostResult] = asyncio.get_running_loop().create_future()
        self.waiting.append((post, future))
        if not self.running:
            self.running = True
            asyncio.ensure_future(self._drain())  # noqa: RUF006 - it ends when the queue is empty
        return await future

    async def _drain(self) -> None:
        try:
            while self.waiting:
                batch, self.waiting = self.waiting[:MAX_BATCH], self.waiting[MAX_BATCH:]
                try:
                    results = await _commit([post for post, _f in batch])
                except Exception:
                    # The database refused the whole transaction (one bad row fails them all):
                    # each member is written alone, so only the bad one is refused.
                    log.warning("group commit of %d message(s) failed; storing them one by one", len(batch))
                    for post, future in batch:
                        await _store_alone(post, future)
                    continue
                for (_post, future), result in zip(batch, results, strict=True):
                    if not future.done():
                        future.set_result(result)
        finally:
            self.running = False


async def _store_alone(post: Post, future: asyncio.Future[PostResult]) -> None:
    try:
        result = (await _commit([post]))[0]
    except Exception:
        log.exception("a message of conversation %s could not be stored", post.conversation_id)
        result = NotStored(_("This message could not be stored; please check it and send it again."))
    if not future.done():
        future.set_result(result)


_PER_LOOP: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Batcher] = weakref.WeakKeyDictionary()


async def submit(post: Post) -> Any:
    """Store ``post`` with whatever else is waiting; returns ``(message, created, conversation)``
    or raises the error that refused it."""
    loop = asyncio.get_running_loop()
    batcher = _PER_LOOP.get(loop)
    if batcher is None:
        batcher = _PER_LOOP[loop] = Batcher()
    result = await batcher.submit(post)
    if isinstance(result, Exception):
        raise result
    return result
