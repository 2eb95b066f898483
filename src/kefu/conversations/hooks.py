"""Listeners on stored messages, for the domains that follow conversations (tickets' SLA).

:func:`kefu.conversations.actions.post_many` calls every listener inside its transaction,
once per batch, with ``(conversation, author_kind, author)`` for each conversation that got a
public customer or agent message (internal notes don't count).  Listeners register from their
app's ``ready()`` so that conversations never imports the apps that build on it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

Stored = list[tuple[Any, str, Any]]
Listener = Callable[[Stored, datetime], None]
_LISTENERS: list[Listener] = []
# Called with every message a batch created, right after the bulk insert, in the same
# transaction (the search index, kefu.finder, registers here): one call per batch.
Created = Callable[[list[Any]], None]
_CREATED: list[Created] = []


def on_messages_created(fn: Created) -> Created:
    if fn not in _CREATED:
        _CREATED.append(fn)
    return fn


def messages_created(messages: list[Any]) -> None:
    if messages:
        for fn in _CREATED:
            fn(messages)


def on_messages(fn: Listener) -> Listener:
    if fn not in _LISTENERS:
        _LISTENERS.append(fn)
    return fn


def messages_stored(items: Stored, *, now: datetime) -> None:
    if items:
        for fn in _LISTENERS:
            fn(items, now)
