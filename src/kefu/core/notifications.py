"""The staff's in-app notifications (the bell): the one place that writes them.

``do_notify_staff`` takes any number of notes — an SLA or deadline warning, an escalation, an
automation reminder, a refund sent back, a complaint notice, an @mention — and writes them in one
``bulk_create``.  ``do_notify_staff_select`` is its set-based twin for the SLA sweeper, which finds
the people to tell with a SELECT over thousands of timers and inserts straight from it.  Neither
rings a doorbell; callers that want the inbox to refresh at once call ``events.notify`` themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, NamedTuple

from django.db import connection

from kefu.core.models import Notification

TEXT_LIMIT = 300


class StaffNote(NamedTuple):
    """One notification: ``user`` is a user id (a note for ``None`` is skipped); ``ticket`` a
    ticket id for ticket notices, ``url`` the link for anything else."""

    user: int | None
    kind: str
    text: str
    ticket: int | None = None
    url: str = ""


def do_notify_staff(notes: Iterable[StaffNote], *, now: datetime) -> list[Notification]:
    """Write the notes (texts cut to 300 characters), skipping those without a user."""
    rows = [
        Notification(
            user_id=note.user,
            ticket_id=note.ticket,
            kind=note.kind,
            text=str(note.text)[:TEXT_LIMIT],
            url=note.url,
            created_at=now,
        )
        for note in notes
        if note.user is not None
    ]
    return Notification.objects.bulk_create(rows, batch_size=1000) if rows else []


def do_notify_staff_select(select_users: str, params: list[Any], *, kind: str, prefix: str, now: datetime) -> None:
    """One notification per distinct ``(user_id, ticket_id)`` of ``select_users`` (a SELECT of
    ``user_id, ticket_id, subject``), reading ``prefix`` + ticket id + subject, in one
    ``INSERT … SELECT``.  ``select_users`` holds only table names and placeholders."""
    table = Notification._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (user_id, ticket_id, kind, text, created_at) "  # noqa: S608 - names + placeholders
            "SELECT DISTINCT u.user_id, u.ticket_id, %s, "
            f"SUBSTR(%s || CAST(u.ticket_id AS TEXT) || ' ' || u.subject, 1, {TEXT_LIMIT}), "
            f"%s FROM ({select_users}) u WHERE u.user_id IS NOT NULL",
            [kind, prefix, _db_time(now), *params],
        )


def _db_time(now: datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(now)
