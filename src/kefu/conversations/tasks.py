"""Timers of conversations: snoozed ones wake when their time comes; queued live chats are
offered to agents who have room."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from kefu.conversations.choices import ConversationStatus
from kefu.conversations.models import Conversation
from kefu.core import clock
from kefu.core.tasks import sweeper, task

BATCH = 200


@sweeper("conversations.wake_snoozed")
def wake_snoozed(now: datetime) -> int:
    """Wake every snoozed conversation whose time has come; idempotent and safe to run
    in several workers at once (rows are taken with SKIP LOCKED where supported)."""
    from kefu.conversations.actions import do_transition

    woken = 0
    while True:
        with transaction.atomic():
            due = list(
                Conversation.objects.select_for_update(skip_locked=True)
                .filter(status=ConversationStatus.SNOOZED, snoozed_until__lte=now)
                .order_by("snoozed_until")[:BATCH]
            )
            for conversation in due:
                do_transition(conversation, "wake", actor=None, now=now)
            woken += len(due)
        if len(due) < BATCH:
            return woken


@task("conversations.drain_queue", retries=2, retry_delay=2)
def drain_queue() -> int:
    """Route waiting chats now that an agent has room (came online, finished a chat)."""
    from kefu.conversations.router import drain

    return drain(now=clock.now())


@sweeper("conversations.route_waiting")
def route_waiting(now: datetime) -> int:
    """The safety net: every sweep offers the queue to agents with room."""
    from kefu.conversations.router import drain

    return drain(now=now)
