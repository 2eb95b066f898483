"""Named deadlines of anything that is not a ticket: after-sales cases, complaints, service orders.

A domain app keeps its deadlines as :class:`~kefu.sla.models.Deadline` rows and registers one
handler for its kind; the SLA sweeper fires each row's warning and its passing exactly once::

    deadlines.register("cases.case", on_due=handler)      # in AppConfig.ready()
    deadlines.set(case, "seller_respond_by", due, now=now, warn_before=timedelta(hours=24),
                  owner=case.owner, team=case.team, text="…", url="/cases/12/", data={"state": "requested"})
    deadlines.stop(case, "seller_respond_by", now=now)    # met, or no longer running
    deadlines.running(case)                               # {"seller_respond_by": datetime, …}

* The **warning** (``due_at - warn_before``) notifies the owner and the team's leader in the app
  and writes the audit row ``deadline.warning`` on the subject.
* The **passing** writes ``deadline.passed`` and calls ``handler(due: list[Due], now)`` inside the
  sweeper's transaction.  Handlers must be idempotent and check that the subject is still in the
  state that set the deadline (``Due.data``): a deadline fires once, but the subject may have
  moved on in the same instant.  A handler that raises does not block the others: its rows are
  retried one by one in savepoints, and a row that still fails is audited as ``deadline.failed``
  (and stays fired, so one broken subject never wedges the sweeper).

Like the ticket timers (:mod:`kefu.sla.sweep`), rows are taken in batches with
``SELECT … FOR UPDATE SKIP LOCKED`` and stamped before their effects, so several sweepers and a
late restart catch up without firing anything twice.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils.translation import gettext as _

from kefu.core.events import notify
from kefu.core.models import AuditEvent, Notification
from kefu.core.notifications import StaffNote, do_notify_staff
from kefu.sla.models import Deadline

log = logging.getLogger(__name__)

BATCH = 1000
INBOX_STREAM = "inbox"


@dataclass(frozen=True)
class Due:
    """One deadline that passed, as its handler receives it."""

    id: int
    kind: str
    object_id: str
    name: str
    due_at: datetime
    data: dict[str, Any]


Handler = Callable[[list[Due], datetime], None]
_HANDLERS: dict[str, Handler] = {}


def kind_of(subject: models.Model) -> str:
    return subject._meta.label_lower


def register(kind: str, *, on_due: Handler) -> None:
    """Call ``on_due`` with the passed deadlines of subjects of ``kind`` (a model label, lower case)."""
    _HANDLERS[kind] = on_due


def set(
    subject: models.Model,
    name: str,
    due_at: datetime,
    *,
    now: datetime,
    warn_before: timedelta | None = None,
    owner: Any = None,
    team: Any = None,
    text: str = "",
    url: str = "",
    data: dict[str, Any] | None = None,
) -> Deadline:
    """Start (or restart) the deadline ``name`` of ``subject``: its warning and passing fire again."""
    warn_at = due_at - warn_before if warn_before else None
    row, _created = Deadline.objects.update_or_create(
        kind=kind_of(subject),
        object_id=str(subject.pk),
        name=name,
        defaults={
            "due_at": due_at,
            "warn_at": warn_at,
            "owner": owner,
            "team": team,
            "text": text[:200],
            "url": url[:200],
            "data": data or {},
            "set_at": now,
            "warned_at": None,
            "fired_at": None,
            "stopped_at": None,
        },
    )
    return row


def stop(subject: models.Model, name: str | None = None, *, now: datetime) -> int:
    """Stop the running deadline ``name`` of ``subject`` (all of them when ``name`` is None)."""
    rows = _running().filter(kind=kind_of(subject), object_id=str(subject.pk))
    if name is not None:
        rows = rows.filter(name=name)
    return rows.update(stopped_at=now)


def _running() -> models.QuerySet[Deadline]:
    return Deadline.objects.filter(fired_at__isnull=True, stopped_at__isnull=True)


def running(subject: models.Model) -> dict[str, datetime]:
    """``{name: due_at}`` of the subject's deadlines that have neither passed nor stopped."""
    rows = _running().filter(kind=kind_of(subject), object_id=str(subject.pk)).order_by("due_at")
    return dict(rows.values_list("name", "due_at"))


def running_for(kind: str, ids: Iterable[Any]) -> dict[str, dict[str, datetime]]:
    """``{object_id: {name: due_at}}`` for a page of subjects, in one query."""
    found: dict[str, dict[str, datetime]] = defaultdict(dict)
    rows = _running().filter(kind=kind, object_id__in=[str(i) for i in ids]).order_by("due_at")
    for object_id, name, due_at in rows.values_list("object_id", "name", "due_at"):
        found[object_id][name] = due_at
    return dict(found)


# --- the sweeper -------------------------------------------------------------------------------


def sweep(now: datetime, *, batch: int = BATCH) -> int:
    """Fire every warning and passing due at ``now``; returns how many fired."""
    fired = 0
    for phase in ("warning", "passed"):
        while True:
            count = sweep_batch(phase, now, batch=batch)
            fired += count
            if count == 0:
                break
    return fired


def sweep_batch(phase: str, now: datetime, *, batch: int = BATCH) -> int:
    with transaction.atomic():
        if phase == "warning":
            pending = _running().filter(warn_at__lte=now, warned_at__isnull=True).order_by("warn_at", "id")
        else:
            pending = _running().filter(due_at__lte=now).order_by("due_at", "id")
        ids = list(pending.select_for_update(skip_locked=True).values_list("id", flat=True)[:batch])
        if not ids:
            return 0
        rows = list(Deadline.objects.filter(id__in=ids).select_related("team").order_by("id"))
        if phase == "warning":
            Deadline.objects.filter(id__in=ids).update(warned_at=now)
            _warn(rows, now)
        else:
            Deadline.objects.filter(id__in=ids).update(fired_at=now)
            _pass(rows, now)
    return len(ids)


def _content_types(rows: list[Deadline]) -> dict[str, ContentType]:
    types = {}
    for kind in {r.kind for r in rows}:
        app_label, model = kind.split(".", 1)
        types[kind] = ContentType.objects.get_by_natural_key(app_label, model)
    return types


def _audit(rows: list[Deadline], verb: str, now: datetime, extra: dict[int, dict[str, Any]] | None = None) -> None:
    types = _content_types(rows)
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                content_type=types[r.kind],
                object_id=r.object_id,
                verb=verb,
                data={"deadline": r.name, "due_at": r.due_at.isoformat(), **(extra or {}).get(r.pk, {})},
                created_at=now,
            )
            for r in rows
        ],
        batch_size=1000,
    )


def _notify_people(rows: list[Deadline], kind: str, prefix: str, now: datetime) -> None:
    notes = []
    for r in rows:
        leader = r.team.leader_id if r.team is not None else None
        people = {user for user in (r.owner_id, leader) if user is not None}
        text = f"{prefix} {r.text or r.name}"
        notes += [StaffNote(user, kind, text, url=r.url) for user in people]
    do_notify_staff(notes, now=now)


def _warn(rows: list[Deadline], now: datetime) -> None:
    _audit(rows, "deadline.warning", now)
    _notify_people(rows, Notification.Kind.SLA_WARNING, _("Deadline approaching:"), now)
    notify(INBOX_STREAM, "deadline", "warning", {"count": len(rows)}, now=now)


def _pass(rows: list[Deadline], now: datetime) -> None:
    _audit(rows, "deadline.passed", now)
    _notify_people(rows, Notification.Kind.SLA_BREACH, _("Deadline passed:"), now)
    by_kind: dict[str, list[Deadline]] = defaultdict(list)
    for r in rows:
        by_kind[r.kind].append(r)
    failed: list[Deadline] = []
    errors: dict[int, dict[str, Any]] = {}
    for kind, group in by_kind.items():
        handler = _HANDLERS.get(kind)
        if handler is None:
            continue
        due = [Due(r.pk, r.kind, r.object_id, r.name, r.due_at, r.data) for r in group]
        if _run(handler, due, now):
            continue
        for row, one in zip(group, due, strict=True):  # find the ones that fail, let the rest through
            if not _run(handler, [one], now):
                failed.append(row)
                errors[row.pk] = {"handler": getattr(handler, "__qualname__", str(handler))}
    if failed:
        _audit(failed, "deadline.failed", now, errors)
    notify(INBOX_STREAM, "deadline", "passed", {"count": len(rows)}, now=now)


def _run(handler: Handler, due: list[Due], now: datetime) -> bool:
    try:
        with transaction.atomic():
            handler(due, now)
    except Exception:
        log.exception("deadline handler %r failed for %s", handler, [d.id for d in due])
        return False
    return True
