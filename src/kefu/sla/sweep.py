"""The SLA sweeper: fires due warnings and breaches, in batches, idempotently.

Each batch, in one transaction:

1. takes up to ``batch`` due timers with ``SELECT … FOR UPDATE SKIP LOCKED`` (PostgreSQL; on
   SQLite writers are serialised anyway), oldest deadline first;
2. stamps them fired (``warned_at`` / ``breached_at``) with one UPDATE — a timer is never
   picked again, so each warning and breach fires exactly once however often, however late
   and in however many processes the sweeper runs;
3. writes their audit rows, notifications and breach actions with set-based statements
   (bulk inserts, one UPDATE per action and policy), never a query per timer.

After downtime the next sweep simply finds every deadline that passed and catches up.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Case, F, Value, When
from django.utils.translation import gettext as _

from kefu.core.choices import Priority
from kefu.core.events import notify
from kefu.core.models import AuditEvent
from kefu.sla.choices import SlaState
from kefu.sla.models import SlaPolicy, SlaTimer
from kefu.tickets.models import Notification, Ticket

BATCH = 2000
INBOX_STREAM = "inbox"
RAISED: dict[str, str] = {Priority.LOW: Priority.NORMAL, Priority.NORMAL: Priority.HIGH, Priority.HIGH: Priority.URGENT}


@dataclass(frozen=True)
class Fired:
    timer: int
    ticket: int
    metric: str
    due_at: datetime | None
    policy: int | None
    assignee: int | None
    team: int | None
    leader: int | None
    priority: str
    subject: str


def sweep(now: datetime, *, batch: int = BATCH) -> int:
    """Fire every warning and breach due at ``now``; returns how many fired."""
    fired = 0
    for phase in ("warning", "breach"):
        while True:
            count = sweep_batch(phase, now, batch=batch)
            fired += count
            if count == 0:
                break
    return fired


def sweep_batch(phase: str, now: datetime, *, batch: int = BATCH) -> int:
    due, stamp = ("warn_at", "warned_at") if phase == "warning" else ("due_at", "breached_at")
    with transaction.atomic():
        pending = SlaTimer.objects.filter(**{f"{due}__lte": now, f"{stamp}__isnull": True, "met_at__isnull": True})
        ids = list(pending.select_for_update(skip_locked=True).order_by(due, "id").values_list("id", flat=True)[:batch])
        if not ids:
            return 0
        SlaTimer.objects.filter(id__in=ids).update(**{stamp: now})
        rows = [
            Fired(*row)
            for row in SlaTimer.objects.filter(id__in=ids).values_list(
                "id",
                "ticket_id",
                "metric",
                "due_at",
                "policy_id",
                "ticket__assignee_id",
                "ticket__team_id",
                "ticket__team__leader_id",
                "ticket__priority",
                "ticket__subject",
            )
        ]
        if phase == "warning":
            _warn(rows, now)
        else:
            _breach(rows, now)
    return len(ids)


def _ticket_type() -> ContentType:
    return ContentType.objects.get_for_model(Ticket)


def _audit(rows: Iterable[tuple[int, str, dict[str, Any]]], now: datetime) -> None:
    ct = _ticket_type()
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(content_type=ct, object_id=str(ticket), verb=verb, data=data, created_at=now)
            for ticket, verb, data in rows
        ],
        batch_size=1000,
    )


def _notify_users(items: Iterable[tuple[int | None, int, str, str]], now: datetime) -> None:
    """``(user, ticket, kind, text)``: one in-app notification each (users deduplicated per ticket)."""
    seen: set[tuple[int, int, str]] = set()
    objs = []
    for user, ticket, kind, text in items:
        if user is None or (user, ticket, kind) in seen:
            continue
        seen.add((user, ticket, kind))
        objs.append(Notification(user_id=user, ticket_id=ticket, kind=kind, text=text[:300], created_at=now))
    Notification.objects.bulk_create(objs, batch_size=1000)


def _data(row: Fired) -> dict[str, Any]:
    return {"metric": row.metric, "due_at": row.due_at.isoformat() if row.due_at else None, "timer": row.timer}


def _warn(rows: list[Fired], now: datetime) -> None:
    _audit(((r.ticket, "sla.warning", _data(r)) for r in rows), now)
    tickets = sorted({r.ticket for r in rows})
    Ticket.objects.filter(id__in=tickets, sla_state=SlaState.OK).update(sla_state=SlaState.AT_RISK)
    _notify_users(
        (
            (
                r.assignee or r.leader,
                r.ticket,
                Notification.Kind.SLA_WARNING,
                _("SLA at risk: #%(id)s %(subject)s") % {"id": r.ticket, "subject": r.subject},
            )
            for r in rows
        ),
        now,
    )
    notify(INBOX_STREAM, "sla", "warning", {"tickets": tickets[:500], "count": len(tickets)}, now=now)


def _breach(rows: list[Fired], now: datetime) -> None:
    _audit(((r.ticket, "sla.breached", _data(r)) for r in rows), now)
    tickets = sorted({r.ticket for r in rows})
    Ticket.objects.filter(id__in=tickets).update(sla_state=SlaState.BREACHED)
    policies = {p.pk: p for p in SlaPolicy.objects.filter(pk__in={r.policy for r in rows if r.policy})}
    by_policy: dict[int | None, dict[int, Fired]] = defaultdict(dict)
    for r in rows:
        by_policy[r.policy].setdefault(r.ticket, r)  # one action per ticket and batch
    notes: list[tuple[int | None, int, str, str]] = []
    for policy_id, fired in by_policy.items():
        policy = policies.get(policy_id) if policy_id else None
        if policy is None:
            continue
        if policy.notify_on_breach:
            for r in fired.values():
                text = _("SLA breached: #%(id)s %(subject)s") % {"id": r.ticket, "subject": r.subject}
                supervisor = r.leader or policy.escalate_to_id
                notes += [(r.assignee, r.ticket, Notification.Kind.SLA_BREACH, text)]
                notes += [(supervisor, r.ticket, Notification.Kind.SLA_BREACH, text)]
        if policy.raise_priority_on_breach:
            _raise_priority(list(fired.values()), now)
        if policy.reassign_team_id:
            _reassign(list(fired.values()), policy, now)
        if policy.escalate_on_breach:
            notes += _escalate(list(fired.values()), policy, now)
    _notify_users(notes, now)
    notify(INBOX_STREAM, "sla", "breached", {"tickets": tickets[:500], "count": len(tickets)}, now=now)


def _raise_priority(rows: list[Fired], now: datetime) -> None:
    raisable = [r for r in rows if r.priority in RAISED]
    if not raisable:
        return
    Ticket.objects.filter(id__in=[r.ticket for r in raisable]).update(
        priority=Case(
            *(When(priority=old, then=Value(new)) for old, new in RAISED.items()),
            default=F("priority"),
        ),
        updated_at=now,
    )
    _audit(
        (
            (
                r.ticket,
                "ticket.updated",
                {"changed": {"priority": [r.priority, RAISED[r.priority]]}, "cause": "sla.breach"},
            )
            for r in raisable
        ),
        now,
    )


def _reassign(rows: list[Fired], policy: SlaPolicy, now: datetime) -> None:
    moved = [r for r in rows if r.team != policy.reassign_team_id or r.assignee is not None]
    if not moved:
        return
    Ticket.objects.filter(id__in=[r.ticket for r in moved]).update(
        team_id=policy.reassign_team_id, assignee=None, updated_at=now
    )
    _audit(
        (
            (
                r.ticket,
                "ticket.assigned",
                {"assignee": [r.assignee, None], "team": [r.team, policy.reassign_team_id], "cause": "sla.breach"},
            )
            for r in moved
        ),
        now,
    )


def _escalate(rows: list[Fired], policy: SlaPolicy, now: datetime) -> list[tuple[int | None, int, str, str]]:
    by_leader: dict[int, list[Fired]] = defaultdict(list)
    for r in rows:
        leader = r.leader or policy.escalate_to_id
        if leader is not None and leader != r.assignee:
            by_leader[leader].append(r)
    notes: list[tuple[int | None, int, str, str]] = []
    for leader, escalated in by_leader.items():
        Ticket.objects.filter(id__in=[r.ticket for r in escalated]).update(assignee_id=leader, updated_at=now)
        _audit(
            ((r.ticket, "sla.escalated", {"assignee": [r.assignee, leader], "metric": r.metric}) for r in escalated),
            now,
        )
        notes += [
            (
                leader,
                r.ticket,
                Notification.Kind.SLA_BREACH,
                _("Escalated to you after an SLA breach: #%(id)s %(subject)s") % {"id": r.ticket, "subject": r.subject},
            )
            for r in escalated
        ]
    return notes
