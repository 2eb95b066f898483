"""Changing plain fields of a record with its audit row: one helper for every app."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import models, transaction

from kefu.core.events import record_audit

_JSON = (str, int, float, bool, type(None))


def _plain(value: Any) -> Any:
    """A JSON-safe form of a field value for the audit trail (related rows by id)."""
    if isinstance(value, models.Model):
        return value.pk
    return value if isinstance(value, _JSON) else str(value)


def save_changes(
    obj: models.Model, changes: Mapping[str, Any], *, actor: Any, now: datetime, verb: str
) -> dict[str, list[Any]]:
    """Set ``changes`` on ``obj``, stamp ``updated_at``, save only those fields, and audit
    ``verb`` with ``{"changed": {field: [old, new]}}`` when something really changed.
    Returns what changed (empty: nothing was different, no audit row)."""
    changed = {
        name: [_plain(getattr(obj, name)), _plain(value)]
        for name, value in changes.items()
        if getattr(obj, name) != value
    }
    with transaction.atomic():
        for name, value in changes.items():
            setattr(obj, name, value)
        obj.updated_at = now  # type: ignore[attr-defined]
        obj.save(update_fields=[*changes, "updated_at"])
        if changed:
            record_audit(obj, verb, actor=actor, now=now, data={"changed": changed})
    return changed
