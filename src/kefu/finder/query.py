"""The one search box: what a caller may see, across kinds, Chinese-aware.

A query is folded and segmented like the index (``kefu.core.text``: NFKC, Traditional →
Simplified, rjieba with the service words); stop words are dropped unless nothing else is left.
Every remaining word must occur (AND). Each word is sent as a quoted FTS5 phrase or through
``plainto_tsquery``, so the query language of the database (``"``, ``*``, ``NEAR``, ``-``,
``OR``) is never interpreted.

* messages: the most recently stored matches first (see :func:`message_ids`);
* records (customers, conversations, tickets, orders, after-sales cases, complaints): the best
  matches first (FTS5 ``bm25`` / ``ts_rank``), then the newest;
* articles: the knowledge search (``kefu.knowledge.search.search``, lexical BM25 only: a
  search box answers as the agent types, without waiting for the sentence encoder).

Each kind is shown only to a caller holding its view permission (``PERMISSIONS``) — the same
permission the kind's own pages and API check.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kefu.core.actions import has_perm
from kefu.core.text import segment
from kefu.knowledge.content import snippet
from kefu.knowledge.lexicon import STOP_WORDS

TYPES = ("message", "conversation", "customer", "ticket", "order", "case", "complaint", "article")
PERMISSIONS = {
    "message": "conversations.view_conversation",
    "conversation": "conversations.view_conversation",
    "customer": "customers.view_customer",
    "ticket": "tickets.view_ticket",
    "order": "aftersales.view_order",
    "case": "cases.view_case",
    "complaint": "complaints.view_complaint",
    "article": "knowledge.view_article",
}
LABELS = {
    "message": _("Messages"),
    "conversation": _("Conversations"),
    "customer": _("Customers"),
    "ticket": _("Tickets"),
    "order": _("Orders"),
    "case": _("After-sales cases"),
    "complaint": _("Complaints"),
    "article": _("Knowledge articles"),
}
URLS = {
    "customer": "web:customer",
    "conversation": "web:conversation",
    "ticket": "web:ticket",
    "order": "web:order",
    "case": "web:case",
    "complaint": "web:complaint",
    "article": "web:kb-article",
}
MAX_QUERY_CHARS = 200
MAX_LIMIT = 50


@dataclass(frozen=True)
class Result:
    type: str
    id: int
    title: str
    snippet: str
    url: str
    at: datetime | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "id": self.id,
            "title": self.title,
            "snippet": self.snippet,
            "url": self.url,
            "at": self.at.isoformat() if self.at else None,
        }


def allowed_types(user: Any) -> list[str]:
    return [t for t in TYPES if has_perm(user, PERMISSIONS[t])]


def query_words(q: str) -> list[str]:
    """The distinct folded words every match must contain (stop words dropped unless only
    stop words were typed)."""
    found = list(dict.fromkeys(segment(q)))
    meaningful = [w for w in found if w not in STOP_WORDS]
    return (meaningful or found)[:12]


def _fts(words: Sequence[str]) -> str:
    return " ".join('"' + w.replace('"', '""') + '"' for w in words)


def _tsquery_text(words: Sequence[str]) -> str:
    return " ".join(words)


# PostgreSQL: how many of the newest messages the first, bounded pass reads (see message_ids).
RECENT_WINDOW = 20_000


def message_ids(words: Sequence[str], limit: int) -> list[int]:
    """Ids of the newest messages containing every word.

    SQLite: FTS5 walks the words' doclists newest first and stops after ``limit``. PostgreSQL's
    planner, left alone, picks either a backward scan of the primary key with the match as a filter
    (fast for common words, a full scan of the table when the words are rare or never together) or
    every GIN match sorted (fast for rare words, all 100,000 rows of a common one). So it gets two
    bounded passes: the newest ``RECENT_WINDOW`` messages first (enough for common words), and only
    when they hold fewer than ``limit`` matches, the GIN matches of the whole table (then few)."""
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute(
                "SELECT rowid FROM finder_message_fts WHERE finder_message_fts MATCH %s ORDER BY rowid DESC LIMIT %s",
                [_fts(words), limit],
            )
            return [int(row[0]) for row in cursor.fetchall()]
        text = _tsquery_text(words)
        cursor.execute("SELECT max(message_id) FROM finder_messagedoc")
        newest = cursor.fetchone()[0] or 0
        cursor.execute(
            "SELECT message_id FROM finder_messagedoc WHERE message_id > %s "
            "AND tsv @@ plainto_tsquery('simple', %s) ORDER BY message_id DESC LIMIT %s",
            [newest - RECENT_WINDOW, text, limit],
        )
        found = [int(row[0]) for row in cursor.fetchall()]
        if len(found) < limit:
            cursor.execute(
                "WITH hits AS MATERIALIZED (SELECT message_id FROM finder_messagedoc "
                "WHERE tsv @@ plainto_tsquery('simple', %s)) "
                "SELECT message_id FROM hits ORDER BY message_id DESC LIMIT %s",
                [text, limit],
            )
            found = [int(row[0]) for row in cursor.fetchall()]
        return found


def record_rows(kind: str, words: Sequence[str], limit: int) -> list[tuple[int, str, str, datetime | None]]:
    """``(object_id, title, text, at)`` of the best-matching records of one kind."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT object_id, title, text, at FROM finder_recorddoc "
                "WHERE kind = %s AND tsv @@ plainto_tsquery('simple', %s) "
                "ORDER BY ts_rank(tsv, plainto_tsquery('simple', %s)) DESC, at DESC NULLS LAST LIMIT %s",
                [kind, _tsquery_text(words), _tsquery_text(words), limit],
            )
        else:
            cursor.execute(
                "SELECT d.object_id, d.title, d.text, d.at FROM finder_record_fts f "
                "JOIN finder_recorddoc d ON d.id = f.rowid "
                "WHERE finder_record_fts MATCH %s AND d.kind = %s ORDER BY f.rank, d.at DESC LIMIT %s",
                [_fts(words), kind, limit],
            )
        rows = cursor.fetchall()
    return [(int(pk), title, text, _aware(at)) for pk, title, text, at in rows]


def _aware(value: Any) -> datetime | None:
    """A raw cursor's time (naive UTC on SQLite, maybe text) as an aware datetime."""
    if value is not None and not isinstance(value, datetime):
        value = parse_datetime(str(value))
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def _pages(name: str) -> Any:
    """``pk → URL`` of one kind's page, reversing once (a reverse per result cost a millisecond)."""
    marker = 987654321987
    pattern = reverse(name, args=[marker])
    return lambda pk: pattern.replace(str(marker), str(pk))


def _messages(words: Sequence[str], marks: set[str], limit: int) -> list[Result]:
    from kefu.conversations.models import Message

    ids = message_ids(words, limit)
    page = _pages("web:conversation")
    rows = {
        row[0]: row
        for row in Message.objects.filter(pk__in=ids).values_list(
            "pk", "conversation_id", "text", "created_at", "conversation__customer_id", "conversation__customer__name"
        )
    }  # a values query: building three model instances per result cost more than the search itself
    results = []
    for pk in ids:
        if pk not in rows:
            continue
        _pk, conversation_id, text, created_at, customer_id, name = rows[pk]
        results.append(
            Result(
                type="message",
                id=pk,
                title=name or gettext("Customer #%(id)s") % {"id": customer_id},
                snippet=snippet(text, marks),
                url=f"{page(conversation_id)}#m{pk}",
                at=created_at,
            )
        )
    return results


def _customers_by_digits(q: str, limit: int, seen: set[int]) -> list[Result]:
    """Phone fragments: four or more digits anywhere in an identity (13812345678 for 5678)."""
    from kefu.customers.selectors import search_customers

    digits = "".join(ch for ch in q if ch.isdigit())
    if len(digits) < 4:
        return []
    results = []
    for c in search_customers(q).exclude(pk__in=seen).prefetch_related("identities")[:limit]:
        values = [i.value for i in c.identities.all()]
        text = "\n".join(v for v in values if digits in v) or c.name
        results.append(
            Result(
                "customer", c.pk, str(c), snippet(text, {digits}), reverse("web:customer", args=[c.pk]), c.updated_at
            )
        )
    return results


def _articles(q: str, limit: int) -> list[Result]:
    from kefu.knowledge.search import search as kb_search

    return [
        Result("article", h.article_id, h.title, h.snippet, reverse("web:kb-article", args=[h.article_id]), None)
        for h in kb_search(q, limit=limit, semantic=False)
    ]


def search(user: Any, q: str, *, types: Sequence[str] = TYPES, limit: int = 5) -> list[Result]:
    """Up to ``limit`` results of each kind in ``types`` the user may see, kind by kind in the
    order of ``TYPES``."""
    q = " ".join(q.split())[:MAX_QUERY_CHARS]
    words = query_words(q) if q else []
    if not words:
        return []
    marks = set(words)
    wanted = [t for t in TYPES if t in types and has_perm(user, PERMISSIONS[t])]
    results: list[Result] = []
    for kind in wanted:
        if kind == "message":
            results.extend(_messages(words, marks, limit))
        elif kind == "article":
            results.extend(_articles(q, limit))
        else:
            rows = record_rows(kind, words, limit)
            page = _pages(URLS[kind])
            found = [Result(kind, pk, title, snippet(text, marks), page(pk), at) for pk, title, text, at in rows]
            if kind == "customer" and len(found) < limit:
                found.extend(_customers_by_digits(q, limit - len(found), {r.id for r in found}))
            results.extend(found)
    return results
