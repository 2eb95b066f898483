"""Keeping the record rows in step: every save or delete of a searchable record (or of a part
shown in its row — a customer's identity, an order's line, a ticket's remark) reindexes the
record after the transaction commits, once per record and save. A rolled-back write
reindexes nothing. Messages are indexed by the conversations hook instead (same transaction).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save

log = logging.getLogger(__name__)

# model → the (kind, id) rows a save of it changes
Keys = Callable[[Any], list[tuple[str, int]]]


def _watched() -> dict[Any, Keys]:
    from kefu.aftersales.models import Order, OrderLine
    from kefu.cases.models import Case
    from kefu.complaints.models import Complaint
    from kefu.conversations.models import Conversation
    from kefu.customers.models import Customer, CustomerIdentity
    from kefu.tickets.models import Ticket, TicketRemark

    return {
        Customer: lambda c: [("customer", c.pk)],
        CustomerIdentity: lambda i: [("customer", i.customer_id)],
        Conversation: lambda c: [("conversation", c.pk)],
        Ticket: lambda t: [("ticket", t.pk)],
        TicketRemark: lambda r: [("ticket", r.ticket_id)],
        Order: lambda o: [("order", o.pk)] + ([("customer", o.customer_id)] if o.customer_id else []),
        OrderLine: lambda line: [("order", line.order_id)],
        Case: lambda c: [("case", c.pk)],
        Complaint: lambda c: [("complaint", c.pk)],
    }


# Saves that change only these fields do not touch what the search row shows.
_IGNORED_FIELDS = frozenset(
    {
        "last_message_at", "updated_at", "waiting_since", "first_customer_message_at", "first_agent_reply_at",
        "visitor_read_upto", "agent_read_upto", "routing", "assigned_at", "queued_at", "status", "assignee",
        "team", "snoozed_until", "resolved_at", "closed_at", "priority", "service_class", "stage",
        "sla_state", "sla_due_at", "sla_warn_at", "embedding",
    }
)  # fmt: skip


def _schedule(keys: list[tuple[str, int]]) -> None:
    """Reindex after commit. A record saved several times in a row is scheduled once (only the
    last callback is compared: a scan of every waiting callback would make a bulk import in one
    transaction quadratic); other repeats cost a no-op reindex (``reindex`` skips an unchanged row)."""
    fresh = [k for k in keys if k[1] is not None]
    if not fresh:
        return
    waiting = getattr(connection, "run_on_commit", None)
    if waiting and getattr(waiting[-1][1], "finder_keys", None) == fresh:
        return

    def run() -> None:
        from kefu.finder.index import reindex_many

        try:
            reindex_many(fresh)
        except Exception:  # the write committed; a stale search row must not fail it
            log.exception("search index: could not reindex %s", fresh)

    run.finder_keys = fresh  # type: ignore[attr-defined]
    transaction.on_commit(run)


def _on_save(keys: Keys) -> Callable[..., None]:
    def handler(sender: Any, instance: Any, update_fields: Any = None, raw: bool = False, **kwargs: Any) -> None:
        if raw:
            return
        if update_fields and set(update_fields) <= _IGNORED_FIELDS:
            return
        _schedule(keys(instance))

    return handler


def _on_delete(keys: Keys) -> Callable[..., None]:
    def handler(sender: Any, instance: Any, **kwargs: Any) -> None:
        _schedule(keys(instance))

    return handler


def connect() -> None:
    from kefu.conversations.hooks import on_messages_created
    from kefu.finder.index import index_messages

    on_messages_created(index_messages)
    for model, keys in _watched().items():
        post_save.connect(_on_save(keys), sender=model, weak=False, dispatch_uid=f"finder-save-{model.__name__}")
        post_delete.connect(_on_delete(keys), sender=model, weak=False, dispatch_uid=f"finder-del-{model.__name__}")
