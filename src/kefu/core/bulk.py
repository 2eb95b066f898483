"""One multi-row INSERT for rows of a model, without the ORM's per-value statement building.

``QuerySet.bulk_create`` builds a placeholder and checks for expressions for every value of every row;
on the live-chat path (every message and its stream event, ``kefu bench chat``) that was a third of the
group commit's CPU.  :func:`insert_rows` prepares each value as the ORM would for a save
(``Field.get_db_prep_save``: dates, JSON, booleans on either database) and sends one statement.  Models
with signals on save, or rows needing defaults computed by the ORM at insert, keep ``bulk_create``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, models


def insert_rows(objs: Sequence[models.Model], *, returning_pk: bool = False) -> None:
    """INSERT ``objs`` (instances of one model, primary keys unset) in one statement; with
    ``returning_pk`` their primary keys are set from the database (``RETURNING``, SQLite ≥ 3.35 and
    PostgreSQL; rows come back in the order they were given)."""
    if not objs:
        return
    meta = type(objs[0])._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    head = "INSERT INTO {} ({}) VALUES ".format(  # noqa: S608 - names from the model, values are parameters
        quote(meta.db_table), ", ".join(quote(f.column) for f in fields)
    )
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    tail = " RETURNING " + quote(meta.pk.column) if returning_pk else ""
    per_statement = max(1, (connection.features.max_query_params or 65535) // len(fields))
    for start in range(0, len(objs), per_statement):
        chunk = objs[start : start + per_statement]
        params: list[Any] = []
        for obj in chunk:
            params.extend(f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields)
        with connection.cursor() as cursor:
            cursor.execute(head + ", ".join([row] * len(chunk)) + tail, params)
            if returning_pk:
                for obj, (pk,) in zip(chunk, cursor.fetchall(), strict=True):
                    obj.pk = pk
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias


def values_where(model: type[models.Model], column: str, where: dict[str, Sequence[Any]]) -> set[Any]:
    """The distinct values of ``column`` in rows of ``model`` whose columns each hold one of the given
    values (``{"conversation_id": ids, "status": states}``): one plain statement.  For look-ups run on
    every group commit (kefu.tickets.hooks, kefu.bot.actions), where building the ORM's query for a
    ``values_list`` took several times longer than the database did to answer it.  Values must be plain
    numbers or strings; an empty list of values matches nothing."""
    if any(not values for values in where.values()):
        return set()
    quote = connection.ops.quote_name
    sql = "SELECT DISTINCT {} FROM {} WHERE {}".format(  # noqa: S608 - names from the model, values are parameters
        quote(column),
        quote(model._meta.db_table),
        " AND ".join(f"{quote(name)} IN ({', '.join(['%s'] * len(values))})" for name, values in where.items()),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for values in where.values() for value in values])
        return {row[0] for row in cursor.fetchall()}
