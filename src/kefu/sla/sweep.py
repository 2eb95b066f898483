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
from django.db import connection, transaction
from django.db.models import Case, F, Value, When
from django.utils.translation import gettext as _

from kefu.core.choices import Priority
from kefu.core.events import notify
from kefu.core.models import AuditEvent, Notification
from kefu.core.notifications import StaffNote, do_notify_staff, do_notify_staff_select
from kefu.sla.models import SlaPolicy, SlaTimer
from kefu.tickets.models import Ticket

BATCH = 5000
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
        where, params = _ids("id", ids)
        table = SlaTimer._meta.db_table
        _execute(f"UPDATE {table} SET {stamp} = %s WHERE {where}", [_db_time(now), *params])  # noqa: S608
        if phase == "warning":
            _warn(ids, now)
        else:
            _breach(ids, now)
    return len(ids)


def _ticket_type() -> ContentType:
    return ContentType.objects.get_for_model(Ticket)


def _ids(column: str, ids: list[int]) -> tuple[str, list[Any]]:
    """``column`` is one of ``ids``: one array parameter on PostgreSQL, a list on SQLite."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [ids]
    return f"{column} IN ({','.join(['%s'] * len(ids))})", list(ids)


def _db_time(value: datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def _execute(sql: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _audit_fired(ids: list[int], verb: str, now: datetime) -> None:
    """One audit row per fired timer, written by one INSERT … SELECT."""
    timer, audit = SlaTimer._meta.db_table, AuditEvent._meta.db_table
    where, params = _ids("t.id", ids)
    if connection.vendor == "postgresql":
        object_id = "CAST(t.ticket_id AS TEXT)"
        data = "jsonb_build_object('metric', t.metric, 'due_at', t.due_at, 'timer', t.id)"
    else:
        object_id = "CAST(t.ticket_id AS TEXT)"
        due = "strftime('%%Y-%%m-%%dT%%H:%%M:%%S+00:00', t.due_at)"
        data = f"json_object('metric', t.metric, 'due_at', {due}, 'timer', t.id)"
    _execute(
        # Only table names (from model metadata) and placeholders are formatted in; values are parameters.
        f"INSERT INTO {audit} (content_type_id, object_id, verb, actor_id, from_state, to_state, data, created_at) "  # noqa: S608
        f"SELECT %s, {object_id}, %s, NULL, '', '', {data}, %s FROM {timer} t WHERE {where} ORDER BY t.id",
        [_ticket_type().pk, verb, _db_time(now), *params],
    )


def _tables() -> dict[str, str]:
    from kefu.accounts.models import Team

    return {
        "timer": SlaTimer._meta.db_table,
        "ticket": Ticket._meta.db_table,
        "team": Team._meta.db_table,
        "policy": SlaPolicy._meta.db_table,
    }


def _warn(ids: list[int], now: datetime) -> None:
    _audit_fired(ids, "sla.warning", now)
    t = _tables()
    where, params = _ids("s.id", ids)
    users = (
        f"SELECT COALESCE(k.assignee_id, m.leader_id) AS user_id, k.id AS ticket_id, k.subject AS subject "  # noqa: S608
        f"FROM {t['timer']} s JOIN {t['ticket']} k ON k.id = s.ticket_id LEFT JOIN {t['team']} m ON m.id = k.team_id "
        f"WHERE {where}"
    )
    do_notify_staff_select(users, params, kind=Notification.Kind.SLA_WARNING, prefix=_("SLA at risk:") + " #", now=now)
    notify(INBOX_STREAM, "sla", "warning", {"count": len(ids)}, now=now)


def _breach(ids: list[int], now: datetime) -> None:
    _audit_fired(ids, "sla.breached", now)
    t = _tables()
    where, params = _ids("s.id", ids)
    base = (
        f"FROM {t['timer']} s JOIN {t['ticket']} k ON k.id = s.ticket_id JOIN {t['policy']} p ON p.id = s.policy_id "
        f"LEFT JOIN {t['team']} m ON m.id = k.team_id WHERE {where} AND p.notify_on_breach"
    )
    users = (
        f"SELECT k.assignee_id AS user_id, k.id AS ticket_id, k.subject AS subject {base} UNION "
        f"SELECT COALESCE(m.leader_id, p.escalate_to_id), k.id, k.subject {base}"
    )
    do_notify_staff_select(
        users, [*params, *params], kind=Notification.Kind.SLA_BREACH, prefix=_("SLA breached:") + " #", now=now
    )
    # Raise, reassign, escalate: only for the policies that ask for them (rarer; grouped per policy).
    acting = SlaPolicy.objects.filter(
        pk__in=SlaTimer.objects.filter(id__in=ids).values("policy_id"),
    ).exclude(raise_priority_on_breach=False, reassign_team__isnull=True, escalate_on_breach=False)
    policies = {p.pk: p for p in acting}
    if policies:
        rows = [
            Fired(*row)
            for row in SlaTimer.objects.filter(id__in=ids, policy_id__in=policies).values_list(
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
        _act(rows, policies, now)
    notify(INBOX_STREAM, "sla", "breached", {"count": len(ids)}, now=now)


def _act(rows: list[Fired], policies: dict[int, SlaPolicy], now: datetime) -> None:
    by_policy: dict[int | None, dict[int, Fired]] = defaultdict(dict)
    for r in rows:
        by_policy[r.policy].setdefault(r.ticket, r)  # one action per ticket and batch
    notes: list[tuple[int | None, int, str, str]] = []
    for policy_id, fired in by_policy.items():
        policy = policies[policy_id] if policy_id else None
        if policy is None:
            continue
        if policy.raise_priority_on_breach:
            _raise_priority(list(fired.values()), now)
        if policy.reassign_team_id:
            _reassign(list(fired.values()), policy, now)
        if policy.escalate_on_breach:
            notes += _escalate(list(fired.values()), policy, now)
    _notify_users(notes, now)


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
    notes = []
    for user, ticket, kind, text in items:
        if user is None or (user, ticket, kind) in seen:
            continue
        seen.add((user, ticket, kind))
        notes.append(StaffNote(user, kind, text, ticket=ticket))
    do_notify_staff(notes, now=now)


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
