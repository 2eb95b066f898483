"""Term statistics for BM25, kept by the index writes instead of recounted at search time.

* ``knowledge_termstat``: term → how many index rows contain it (document frequency).
* ``knowledge_indexstats`` (one row): number of rows, their total length, and a random stamp that
  changes with every index or vector change.

``kefu.knowledge.index.reindex`` calls :func:`replace_row` with the row's old and new tokens;
every removal of an index row reaches :func:`remove_row` through ``post_delete`` (see models.py),
including an article's delete by cascade. Bulk loads call :func:`add_rows` once. The deltas are
written with ``INSERT … ON CONFLICT DO UPDATE SET df = df + excluded.df`` in term order (two
writers lock shared terms in the same order, so they queue rather than deadlock).
:func:`rebuild` recounts everything from the index rows (the migration, and a repair).
"""

from __future__ import annotations

import hashlib
import secrets
from collections import Counter
from collections.abc import Iterable, Sequence

from django.db import connection

TERM_CHARS = 255


def key(term: str) -> str:
    """The stored form of a term (over-long ones by hash, to fit the column)."""
    if len(term) <= TERM_CHARS:
        return term
    return "#" + hashlib.sha256(term.encode()).hexdigest()


def new_stamp() -> str:
    return secrets.token_hex(16)


def row_stamp() -> int:
    return secrets.randbits(62) + 1


def distinct_terms(tokens: str) -> set[str]:
    return {key(t) for t in tokens.split(" ") if t}


def _apply(deltas: dict[str, int], documents: int, length: int) -> None:
    changed = sorted((term, delta) for term, delta in deltas.items() if delta)
    with connection.cursor() as cursor:
        if changed:
            cursor.executemany(
                "INSERT INTO knowledge_termstat (term, df) VALUES (%s, %s) "
                "ON CONFLICT (term) DO UPDATE SET df = knowledge_termstat.df + excluded.df",
                changed,
            )
    touch(documents=documents, length=length)


def touch(*, documents: int = 0, length: int = 0) -> None:
    """Add to the corpus counters and give the statistics row a new stamp."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO knowledge_indexstats (id, documents, total_length, stamp) VALUES (1, %s, %s, %s) "
            "ON CONFLICT (id) DO UPDATE SET documents = knowledge_indexstats.documents + excluded.documents, "
            "total_length = knowledge_indexstats.total_length + excluded.total_length, stamp = excluded.stamp",
            [documents, length, new_stamp()],
        )


def replace_row(old: tuple[str, int] | None, new: tuple[str, int]) -> None:
    """A row written: ``old`` (tokens, length) or None for a new row, and the ``new`` one."""
    deltas: Counter[str] = Counter()
    for term in distinct_terms(new[0]):
        deltas[term] += 1
    if old is not None:
        for term in distinct_terms(old[0]):
            deltas[term] -= 1
    _apply(deltas, 0 if old is not None else 1, new[1] - (old[1] if old is not None else 0))


def remove_row(tokens: str, length: int) -> None:
    _apply(dict.fromkeys(distinct_terms(tokens), -1), -1, -length)


def add_rows(rows: Iterable[tuple[str, int]]) -> None:
    """Many new rows at once (bulk loads): one upsert per distinct term."""
    deltas: Counter[str] = Counter()
    documents = length = 0
    for tokens, size in rows:
        deltas.update(distinct_terms(tokens))
        documents += 1
        length += size
    _apply(deltas, documents, length)


def rebuild() -> None:
    """Recount every statistic from the index rows."""
    deltas: Counter[str] = Counter()
    documents = length = 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT tokens, length FROM knowledge_articleindex")
        for tokens, size in cursor.fetchall():
            deltas.update(distinct_terms(tokens))
            documents += 1
            length += size
        cursor.execute("DELETE FROM knowledge_termstat")
        cursor.execute("DELETE FROM knowledge_indexstats")
    _apply(deltas, documents, length)


def corpus() -> tuple[int, float, str]:
    """(rows, average length, stamp) in one primary-key read."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT documents, total_length, stamp FROM knowledge_indexstats WHERE id = 1")
        row = cursor.fetchone()
    if row is None:
        return 0, 0.0, ""
    documents, total, stamp = int(row[0]), int(row[1]), str(row[2])
    return documents, (total / documents if documents > 0 else 0.0), stamp


def document_frequencies(terms: Sequence[str]) -> list[int]:
    """The stored document frequency of each term (0 for a term no row contains)."""
    keys = [key(t) for t in terms]
    with connection.cursor() as cursor:
        marks = ", ".join(["%s"] * len(keys))
        cursor.execute(f"SELECT term, df FROM knowledge_termstat WHERE term IN ({marks})", keys)  # noqa: S608 (placeholders only)
        found = {term: int(df) for term, df in cursor.fetchall()}
    return [max(0, found.get(k, 0)) for k in keys]
