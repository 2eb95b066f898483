"""From tickets to timers: policy matching and the due columns.

Called by the ticket actions inside their transactions (never on its own): they hand in a
locked or freshly created ticket, this module writes its :class:`SlaTimer` rows and sets the
mirrored columns on the ticket object, and the caller saves the ticket.  Every deadline is
:func:`kefu.sla.duemath.due_at` of (policy target, calendar, start, pauses).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from kefu.core.events import record_audit
from kefu.sla import duemath
from kefu.sla.choices import AppliesTo, Metric, SlaState, TargetKind
from kefu.sla.models import BusinessCalendar, SlaPolicy, SlaTimer
from kefu.tickets.choices import TicketStatus

PAUSING = frozenset({TicketStatus.PENDING, TicketStatus.ON_HOLD})
STOPPED = frozenset({TicketStatus.RESOLVED, TicketStatus.CLOSED, TicketStatus.CANCELLED})
# Ticket columns each metric's deadline is mirrored into.
DUE_COLUMN = {
    Metric.FIRST_RESPONSE: "first_response_due_at",
    Metric.NEXT_RESPONSE: "next_response_due_at",
    Metric.RESOLUTION: "resolution_due_at",
}
SLA_COLUMNS = (
    "sla_policy",
    "sla_state",
    "sla_due_at",
    "sla_warn_at",
    *DUE_COLUMN.values(),
    "sla_paused_at",
    "sla_pauses",
)

_CACHE_SECONDS = 30.0
_cache: dict[str, tuple[float, Any]] = {}


def clear_cache() -> None:
    """Forget cached calendars and policies (after an administrator changed them)."""
    _cache.clear()


def _cached(key: str, build: Any) -> Any:
    hit = _cache.get(key)
    if hit is not None and time.monotonic() - hit[0] < _CACHE_SECONDS:
        return hit[1]
    value = build()
    _cache[key] = (time.monotonic(), value)
    return value


def to_calendar(row: BusinessCalendar) -> duemath.Calendar:
    """The pure calendar of a calendar row (with the administrator's extra days)."""
    days = list(row.days.all())
    closed = frozenset(d.date for d in days if not d.is_working_day)
    opened = frozenset(d.date for d in days if d.is_working_day)
    if row.always_open:
        return duemath.always(row.name, row.timezone)
    hours = tuple(tuple((int(a), int(b)) for a, b in (row.hours or {}).get(str(wd), [])) for wd in range(7))
    holidays, workdays = duemath.china_days() if row.china_holidays else (frozenset(), frozenset())
    return duemath.Calendar(
        name=row.name,
        timezone=row.timezone,
        hours=hours,
        holidays=(holidays | closed) - opened,
        workdays=workdays | opened,
        adjusted_hours=hours[0],
    )


def calendar(name: str) -> duemath.Calendar:
    def build() -> duemath.Calendar:
        row = BusinessCalendar.objects.filter(name=name).first()
        if row is None:
            return duemath.always(name)
        return to_calendar(row)

    result: duemath.Calendar = _cached(f"cal:{name}", build)
    return result


@dataclass(frozen=True)
class Target:
    metric: str
    kind: str
    seconds: int
    business: bool


@dataclass(frozen=True)
class Policy:
    id: int
    name: str
    applies_to: str
    channel: str
    ticket_type: str
    priority: str
    min_vip_tier: int | None
    customer_id: int | None
    team_id: int | None
    calendar: str
    warn_percent: int
    targets: dict[str, Target]

    def matches(
        self, *, channel: str, ticket_type: str, priority: str, vip_tier: int, customer_id: Any, team_id: Any
    ) -> bool:
        return (
            (not self.channel or self.channel == channel)
            and (not self.ticket_type or self.ticket_type == ticket_type)
            and (not self.priority or self.priority == priority)
            and (self.min_vip_tier is None or vip_tier >= self.min_vip_tier)
            and (self.customer_id is None or self.customer_id == customer_id)
            and (self.team_id is None or self.team_id == team_id)
        )


def policies(applies_to: str = AppliesTo.TICKETS) -> list[Policy]:
    def build() -> list[Policy]:
        rows = SlaPolicy.objects.filter(is_active=True, applies_to=applies_to).select_related("calendar")
        return [
            Policy(
                id=p.pk,
                name=p.name,
                applies_to=p.applies_to,
                channel=p.channel,
                ticket_type=p.ticket_type,
                priority=p.priority,
                min_vip_tier=p.min_vip_tier,
                customer_id=p.customer_id,
                team_id=p.team_id,
                calendar=p.calendar.name,
                warn_percent=p.warn_percent,
                targets={t.metric: Target(t.metric, t.kind, t.seconds, t.business) for t in p.targets.all()},
            )
            for p in rows.prefetch_related("targets").order_by("position", "id")
        ]

    result: list[Policy] = _cached(f"policies:{applies_to}", build)
    return result


def match(ticket: Any) -> Policy | None:
    """The first active ticket policy whose conditions the ticket meets."""
    facts = {
        "channel": ticket.source,
        "ticket_type": ticket.type,
        "priority": ticket.priority,
        "vip_tier": ticket.customer.vip_tier,
        "customer_id": ticket.customer_id,
        "team_id": ticket.team_id,
    }
    return next((p for p in policies() if p.matches(**facts)), None)


def policy_by_id(policy_id: int | None) -> Policy | None:
    return next((p for p in policies() if p.id == policy_id), None)


# --- pauses ----------------------------------------------------------------------------------------


def pauses_of(ticket: Any) -> list[duemath.Pause]:
    return [(datetime.fromisoformat(a), datetime.fromisoformat(b) if b else None) for a, b in (ticket.sla_pauses or [])]


def _open_pause(ticket: Any, now: datetime) -> None:
    pauses = list(ticket.sla_pauses or [])
    if not (pauses and pauses[-1][1] is None):
        pauses.append([now.isoformat(), None])
    ticket.sla_pauses = pauses
    ticket.sla_paused_at = ticket.sla_paused_at or now


def _close_pause(ticket: Any, now: datetime) -> None:
    pauses = [list(p) for p in (ticket.sla_pauses or [])]
    if pauses and pauses[-1][1] is None:
        pauses[-1][1] = now.isoformat()
    ticket.sla_pauses = pauses
    ticket.sla_paused_at = None


# --- timers ----------------------------------------------------------------------------------------


def _deadlines(timer: SlaTimer, policy: Policy | None, ticket: Any) -> tuple[datetime | None, datetime | None]:
    """(warn_at, due_at) of a timer: pure functions of its target, calendar, start and the ticket's pauses."""
    percent = policy.warn_percent if policy else 80
    if timer.metric == Metric.ON_SITE:
        due = ticket.appointment_at
        if due is None:
            return None, None
        span = max(due - timer.started_at, timedelta(0))
        return timer.started_at + span * percent / 100, due
    cal = calendar(timer.calendar)
    pauses = pauses_of(ticket)
    target = timedelta(seconds=timer.target_seconds)
    due = duemath.due_at(cal, timer.started_at, target, business=timer.business, pauses=pauses)
    warn = duemath.due_at(cal, timer.started_at, target * percent / 100, business=timer.business, pauses=pauses)
    return warn, due


def _new_timer(ticket: Any, policy: Policy, target: Target, start: datetime) -> SlaTimer:
    cal = calendar(policy.calendar)
    seconds = target.seconds
    if target.kind == TargetKind.SAME_DAY:
        seconds = int(duemath.same_day_target(cal, start).total_seconds())
    return SlaTimer(
        ticket=ticket,
        metric=target.metric,
        policy_id=policy.id,
        calendar=policy.calendar,
        business=target.business or target.kind == TargetKind.SAME_DAY,
        target_seconds=seconds,
        started_at=start,
    )


def _refresh(timer: SlaTimer, policy: Policy | None, ticket: Any, now: datetime) -> None:
    if timer.met_at is not None:
        return
    warn, due = _deadlines(timer, policy, ticket)
    timer.warn_at, timer.due_at = warn, due
    # A deadline that moved into the future (a pause, a new policy) is armed again.
    if warn is not None and warn > now:
        timer.warned_at = None
    if due is not None and due > now:
        timer.breached_at = None


def _mirror(ticket: Any, timers: list[SlaTimer]) -> None:
    by_metric = {t.metric: t for t in timers}
    for metric, column in DUE_COLUMN.items():
        timer = by_metric.get(metric)
        setattr(ticket, column, timer.due_at if timer else None)
    running = [t for t in timers if t.met_at is None]
    dues = [t.due_at for t in running if t.due_at is not None]
    warns = [t.warn_at for t in running if t.warn_at is not None]
    ticket.sla_due_at = min(dues) if dues else None
    ticket.sla_warn_at = min(warns) if warns else None
    # Stored: none, running ("ok"), paused or met; *at risk* and *breached* follow from the
    # deadlines and the clock (Ticket.sla_status), so firing a deadline rewrites no ticket.
    if not timers:
        ticket.sla_state = SlaState.NONE
    elif not running:
        ticket.sla_state = SlaState.MET
    elif ticket.sla_paused_at is not None:
        ticket.sla_state = SlaState.PAUSED
    else:
        ticket.sla_state = SlaState.OK


def _save_timers(timers: list[SlaTimer]) -> None:
    fields = ["policy", "calendar", "business", "target_seconds", "started_at", "warn_at", "due_at"]
    fields += ["warned_at", "breached_at", "met_at"]
    new = [t for t in timers if t.pk is None]
    old = [t for t in timers if t.pk is not None]
    if new:
        SlaTimer.objects.bulk_create(new)
    if old:
        SlaTimer.objects.bulk_update(old, fields)


def start(ticket: Any, now: datetime) -> Policy | None:
    """A new ticket: choose its policy, start first response, resolution (and on-site) timers.
    The caller records the chosen policy in the ticket's ``ticket.created`` audit row."""
    policy = match(ticket)
    ticket.sla_policy_id = policy.id if policy else None
    timers: list[SlaTimer] = []
    if policy is not None:
        for metric in (Metric.FIRST_RESPONSE, Metric.RESOLUTION, Metric.ON_SITE):
            target = policy.targets.get(metric)
            if target is not None and not (metric == Metric.ON_SITE and ticket.appointment_at is None):
                timers.append(_new_timer(ticket, policy, target, ticket.created_at))
    if ticket.status in PAUSING:
        _open_pause(ticket, now)
    for timer in timers:
        _refresh(timer, policy, ticket, now)
    _save_timers(timers)
    _mirror(ticket, timers)
    return policy


def rematch(ticket: Any, now: datetime, *, actor: Any = None) -> bool:
    """After a change of type, priority, team, channel or customer: apply the policy that now
    matches (keeping start times and what was already met).  True when the policy changed."""
    policy = match(ticket)
    new_id = policy.id if policy else None
    if new_id == ticket.sla_policy_id:
        return False
    previous = ticket.sla_policy_id
    ticket.sla_policy_id = new_id
    timers = {t.metric: t for t in SlaTimer.objects.filter(ticket=ticket)}
    keep: list[SlaTimer] = []
    for metric, timer in timers.items():
        target = policy.targets.get(metric) if policy else None
        if target is None:
            if timer.met_at is None:
                timer.delete()
            else:
                keep.append(timer)
            continue
        fresh = _new_timer(ticket, policy, target, timer.started_at)  # type: ignore[arg-type]
        timer.policy_id, timer.calendar = fresh.policy_id, fresh.calendar
        timer.business, timer.target_seconds = fresh.business, fresh.target_seconds
        keep.append(timer)
    if policy is not None:
        starts = {Metric.FIRST_RESPONSE: ticket.created_at, Metric.RESOLUTION: ticket.created_at}
        if ticket.appointment_at is not None:
            starts[Metric.ON_SITE] = now
        for metric, start_at in starts.items():
            target = policy.targets.get(metric)
            if target is None or metric in timers:
                continue
            timer = _new_timer(ticket, policy, target, start_at)
            if metric == Metric.FIRST_RESPONSE and ticket.first_responded_at:
                timer.met_at = ticket.first_responded_at
            if metric == Metric.RESOLUTION and ticket.status in STOPPED:
                timer.met_at = ticket.resolved_at or now
            keep.append(timer)
    for timer in keep:
        _refresh(timer, policy, ticket, now)
    _save_timers(keep)
    _mirror(ticket, keep)
    record_audit(
        ticket,
        "sla.policy_applied",
        actor=actor,
        now=now,
        data={"policy": new_id, "name": policy.name if policy else "", "previous": previous},
    )
    return True


def _timers(ticket: Any) -> list[SlaTimer]:
    return list(SlaTimer.objects.filter(ticket=ticket).order_by("id"))


def recompute(ticket: Any, now: datetime) -> None:
    policy = policy_by_id(ticket.sla_policy_id)
    timers = _timers(ticket)
    for timer in timers:
        _refresh(timer, policy, ticket, now)
    _save_timers(timers)
    _mirror(ticket, timers)


def _meet(timers: list[SlaTimer], metrics: set[str], now: datetime) -> list[dict[str, Any]]:
    met = []
    for timer in timers:
        if timer.metric in metrics and timer.met_at is None:
            timer.met_at = now
            met.append(
                {
                    "metric": timer.metric,
                    "due_at": timer.due_at.isoformat() if timer.due_at else None,
                    "late": bool(timer.due_at and now > timer.due_at),
                }
            )
    return met


def status_changed(ticket: Any, old: str, new: str, now: datetime, *, actor: Any = None) -> None:
    """Pause while waiting on the customer or a third party, stop when done, resume on reopen."""
    policy = policy_by_id(ticket.sla_policy_id)
    timers = _timers(ticket)
    met: list[dict[str, Any]] = []
    if new in PAUSING and old not in PAUSING:
        if new == TicketStatus.PENDING:  # asking the customer is a response
            met += _meet(timers, {Metric.FIRST_RESPONSE, Metric.NEXT_RESPONSE}, now)
            ticket.first_responded_at = ticket.first_responded_at or now
        _open_pause(ticket, now)
    elif old in PAUSING and new not in PAUSING:
        _close_pause(ticket, now)
    if new in STOPPED and old not in STOPPED:
        if old in PAUSING:
            _close_pause(ticket, now)
        met += _meet(timers, {Metric.FIRST_RESPONSE, Metric.NEXT_RESPONSE, Metric.RESOLUTION, Metric.ON_SITE}, now)
        ticket.first_responded_at = ticket.first_responded_at or now
        _open_pause(ticket, now)  # the resolved time does not count if the ticket is reopened
    elif old in STOPPED and new not in STOPPED:
        _close_pause(ticket, now)
        for timer in timers:
            if timer.metric == Metric.RESOLUTION:
                timer.met_at = None
    for timer in timers:
        _refresh(timer, policy, ticket, now)
    _save_timers(timers)
    _mirror(ticket, timers)
    for item in met:
        record_audit(ticket, "sla.met", actor=actor, now=now, data=item)


def responded(ticket: Any, now: datetime, *, actor: Any = None) -> None:
    """An agent answered the customer: the first and next response targets are met."""
    timers = _timers(ticket)
    met = _meet(timers, {Metric.FIRST_RESPONSE, Metric.NEXT_RESPONSE}, now)
    ticket.first_responded_at = ticket.first_responded_at or now
    _save_timers(timers)
    _mirror(ticket, timers)
    for item in met:
        record_audit(ticket, "sla.met", actor=actor, now=now, data=item)


def customer_replied(ticket: Any, now: datetime) -> None:
    """The customer wrote: the next-response clock starts (again)."""
    policy = policy_by_id(ticket.sla_policy_id)
    timers = _timers(ticket)
    target = policy.targets.get(Metric.NEXT_RESPONSE) if policy else None
    first = next((t for t in timers if t.metric == Metric.FIRST_RESPONSE), None)
    if target is not None and policy is not None and (first is None or first.met_at is not None):
        nxt = next((t for t in timers if t.metric == Metric.NEXT_RESPONSE), None)
        fresh = _new_timer(ticket, policy, target, now)
        if nxt is None:
            timers.append(fresh)
        elif nxt.met_at is not None:
            nxt.started_at, nxt.target_seconds, nxt.calendar = now, fresh.target_seconds, fresh.calendar
            nxt.business, nxt.policy_id = fresh.business, fresh.policy_id
            nxt.met_at = nxt.warned_at = nxt.breached_at = None
    for timer in timers:
        _refresh(timer, policy, ticket, now)
    _save_timers(timers)
    _mirror(ticket, timers)


def appointment_changed(ticket: Any, now: datetime) -> None:
    """The on-site time agreed with the customer was set or moved (R7)."""
    policy = policy_by_id(ticket.sla_policy_id)
    timers = _timers(ticket)
    target = policy.targets.get(Metric.ON_SITE) if policy else None
    timer = next((t for t in timers if t.metric == Metric.ON_SITE), None)
    if timer is None and target is not None and policy is not None and ticket.appointment_at is not None:
        timers.append(_new_timer(ticket, policy, target, now))
    elif timer is not None and ticket.appointment_at is None and timer.met_at is None:
        timer.delete()
        timers.remove(timer)
    for t in timers:
        _refresh(t, policy, ticket, now)
    _save_timers(timers)
    _mirror(ticket, timers)


def arrived(ticket: Any, now: datetime, *, actor: Any = None) -> None:
    timers = _timers(ticket)
    met = _meet(timers, {Metric.ON_SITE}, now)
    _save_timers(timers)
    _mirror(ticket, timers)
    for item in met:
        record_audit(ticket, "sla.met", actor=actor, now=now, data=item)


def recompute_calendar(name: str, now: datetime) -> int:
    """After an administrator changed calendar ``name`` (hours, holidays, extra days): recompute the
    deadlines of every running timer on it.  Returns the number of tickets updated."""
    from django.db import transaction

    from kefu.tickets.models import Ticket

    clear_cache()
    ticket_ids = (
        SlaTimer.objects.filter(calendar=name, met_at__isnull=True).values_list("ticket_id", flat=True).distinct()
    )
    count = 0
    for ticket_id in list(ticket_ids):
        with transaction.atomic():
            ticket = Ticket.objects.select_for_update().get(pk=ticket_id)
            recompute(ticket, now)
            ticket.save(update_fields=list(SLA_COLUMNS))
        count += 1
    return count
