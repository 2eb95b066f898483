"""Writing the search index: messages as they are stored, records after their writes commit.

Messages: :func:`index_messages` is a listener of ``kefu.conversations.hooks`` — ``post_many``
calls it with every message a batch created, right after the bulk insert and in the same
transaction, and it writes their tokens with one multi-row ``INSERT`` (the FTS5 triggers or the
generated ``tsvector`` follow). Records: :func:`reindex` rebuilds one row from the record's
current state; ``kefu.finder.signals`` calls it after the commit of any save or delete.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, transaction

from kefu.core.text import search_words
from kefu.finder.models import MessageDoc, RecordDoc

MESSAGE_TABLE = MessageDoc._meta.db_table
INSERT_CHUNK = 400  # rows a statement: 800 parameters, under SQLite's oldest limit of 999


def tokens_of(text: str) -> str:
    return " ".join(search_words(text))


def index_messages(messages: list[Any]) -> None:
    """Index freshly stored messages (inside the transaction that stores them)."""
    rows = [(m.pk, tokens_of(m.text)) for m in messages if m.text]
    # One multi-row INSERT per batch (``executemany`` ran the statement once per message).
    for start in range(0, len(rows), INSERT_CHUNK):
        chunk = rows[start : start + INSERT_CHUNK]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {MESSAGE_TABLE} (message_id, tokens) VALUES "  # noqa: S608 - a model's table
                + ", ".join(["(%s, %s)"] * len(chunk)),
                [value for row in chunk for value in row],
            )


@dataclass(frozen=True)
class Doc:
    title: str
    text: str
    at: datetime | None


def _join(*parts: Any) -> str:
    return "\n".join(str(p) for p in parts if p)


def _name(customer: Any) -> str:
    """A customer as titles show them, the same in every UI language (titles are stored)."""
    return customer.name or customer.salutation or f"#{customer.pk}"


def _customer(pk: int) -> Doc | None:
    from kefu.aftersales.models import Order
    from kefu.customers.models import Customer

    c = Customer.objects.filter(pk=pk, merged_into__isnull=True).first()
    if c is None:
        return None
    identities = list(c.identities.values_list("value", flat=True))
    orders = list(
        Order.objects.filter(customer_id=pk)
        .exclude(platform_order_no="")
        .values_list("platform_order_no", flat=True)[:50]
    )
    return Doc(_name(c), _join(c.name, c.salutation, c.company, *identities, *orders), c.updated_at)


def _conversation(pk: int) -> Doc | None:
    from kefu.conversations.models import Conversation

    c = Conversation.objects.select_related("customer", "channel").filter(pk=pk).first()
    if c is None:
        return None
    title = f"#{c.pk} {_name(c.customer)}"
    return Doc(title, _join(c.subject, c.customer.name, c.channel.name), c.created_at)


def _ticket(pk: int) -> Doc | None:
    from kefu.tickets.models import Ticket

    t = Ticket.objects.select_related("customer").filter(pk=pk).first()
    if t is None:
        return None
    remarks = list(t.remarks.values_list("text", flat=True)[:20])
    name = t.customer.name if t.customer_id else ""
    return Doc(f"#{t.pk} {t.subject}", _join(t.subject, t.description, name, *remarks), t.updated_at)


def _order(pk: int) -> Doc | None:
    from kefu.aftersales.models import Order

    o = Order.objects.select_related("customer", "shop").filter(pk=pk).first()
    if o is None:
        return None
    lines = [f"{name} {sku}" for name, sku in o.lines.values_list("name", "sku")[:20]]
    title = f"{o.number} {_name(o.customer) if o.customer_id else o.recipient_name}".strip()
    text = _join(
        o.platform_order_no,
        o.customer.name if o.customer_id else "",
        o.recipient_name,
        o.recipient_phone,
        o.tracking_no,
        *lines,
        o.note,
    )
    return Doc(title, text, o.created_at)


def _case(pk: int) -> Doc | None:
    from kefu.cases.models import Case

    c = Case.objects.select_related("customer", "order").filter(pk=pk).first()
    if c is None:
        return None
    order = c.order.number if c.order_id else ""
    name = c.customer.name if c.customer_id else ""
    title = f"{c.number} {name} {order}".strip()
    return Doc(title, _join(c.description, name, order, c.return_tracking_no), c.updated_at)


def _complaint(pk: int) -> Doc | None:
    from kefu.complaints.models import Complaint

    c = Complaint.objects.select_related("customer").filter(pk=pk).first()
    if c is None:
        return None
    name = c.customer.name if c.customer_id else ""
    return Doc(f"#{c.pk} {c.summary[:60]}", _join(c.summary, c.wants, name, c.answer), c.updated_at)


BUILDERS: dict[str, Callable[[int], Doc | None]] = {
    "customer": _customer,
    "conversation": _conversation,
    "ticket": _ticket,
    "order": _order,
    "case": _case,
    "complaint": _complaint,
}


def reindex(kind: str, pk: int) -> None:
    """Write (or remove) the row of one record from its current state."""
    doc = BUILDERS[kind](pk)
    if doc is None:
        RecordDoc.objects.filter(kind=kind, object_id=pk).delete()
        return
    tokens = tokens_of(f"{doc.title}\n{doc.text}")
    with transaction.atomic():
        current = RecordDoc.objects.filter(kind=kind, object_id=pk).values_list("title", "tokens").first()
        if current == (doc.title[:200], tokens):
            return
        RecordDoc.objects.update_or_create(
            kind=kind,
            object_id=pk,
            defaults={"title": doc.title[:200], "text": doc.text, "tokens": tokens, "at": doc.at},
        )


def reindex_many(keys: Iterable[tuple[str, int]]) -> None:
    for kind, pk in dict.fromkeys(keys):
        reindex(kind, pk)


def rebuild(*, batch: int = 2000) -> dict[str, int]:
    """Index everything already stored (an install that had data before the search index)."""
    from kefu.aftersales.models import Order
    from kefu.cases.models import Case
    from kefu.complaints.models import Complaint
    from kefu.conversations.models import Conversation, Message
    from kefu.customers.models import Customer
    from kefu.tickets.models import Ticket

    counts: dict[str, int] = {}
    done = set(MessageDoc.objects.values_list("message_id", flat=True).iterator())
    count = 0
    pending: list[Any] = []
    for message in Message.objects.only("pk", "text").iterator(chunk_size=batch):
        if message.pk in done or not message.text:
            continue
        pending.append(message)
        if len(pending) >= batch:
            with transaction.atomic():
                index_messages(pending)
            count += len(pending)
            pending = []
    if pending:
        with transaction.atomic():
            index_messages(pending)
        count += len(pending)
    counts["message"] = count
    for kind, model in (
        ("customer", Customer),
        ("conversation", Conversation),
        ("ticket", Ticket),
        ("order", Order),
        ("case", Case),
        ("complaint", Complaint),
    ):
        ids = list(model.objects.values_list("pk", flat=True))
        for pk in ids:
            reindex(kind, pk)
        counts[kind] = len(ids)
    return counts
