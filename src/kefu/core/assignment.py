"""Assigning a record (conversation, ticket, and the cases of later apps) to an agent and a
team: one locked write plus its audit row, shared so every app assigns the same way."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from django.db import models, transaction
from django.utils.translation import gettext as _

from kefu.core.errors import ValidationFailed
from kefu.core.events import record_audit

M = TypeVar("M", bound=models.Model)


def assign_locked(
    model: type[M],
    pk: Any,
    *,
    assignee: Any,
    team: Any,
    actor: Any,
    now: datetime,
    verb: str,
    data: dict[str, Any] | None = None,
    row: M | None = None,
    fields: tuple[str, ...] | list[str] = (),
) -> M:
    """Lock the row, set ``assignee`` (None unassigns) and ``team`` (None keeps it), stamp
    ``updated_at`` and audit ``verb`` with before/after; returns the locked, updated row.
    Call inside the caller's transaction to add its own side effects.

    ``row``: the caller already holds this row locked in its open transaction (the router, on the
    chat path), so it is not read again; ``fields``: other fields the caller set on it, written in
    the same UPDATE."""
    if assignee is not None and not assignee.is_active:
        raise ValidationFailed(_("Only active staff can be assigned."))
    with transaction.atomic(savepoint=row is None):  # a held row: no savepoint round trips
        locked = row if row is not None else model._default_manager.select_for_update().get(pk=pk)
        before = {"assignee": locked.assignee_id, "team": locked.team_id}  # type: ignore[attr-defined]
        locked.assignee = assignee  # type: ignore[attr-defined]
        if team is not None:
            locked.team = team  # type: ignore[attr-defined]
        locked.updated_at = now  # type: ignore[attr-defined]
        locked.save(update_fields=list(dict.fromkeys(["assignee", "team", "updated_at", *fields])))
        after = {"assignee": locked.assignee_id, "team": locked.team_id}  # type: ignore[attr-defined]
        record_audit(locked, verb, actor=actor, now=now, data={"from": before, "to": after, **(data or {})})
    return locked
