"""Reads: the live-chat targets, the supervisors' at-risk and breached lists."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet

from kefu.sla import engine
from kefu.sla.choices import AppliesTo, Metric, SlaState
from kefu.tickets.models import Ticket
from kefu.tickets.selectors import OPEN_STATES

CHAT_DEFAULTS = (15, 20)  # R5 greet within 15 s, R6 answer each message within 20 s


def chat_targets(channel: str) -> tuple[int, int]:
    """(greeting seconds, reply seconds) for live chats on ``channel`` (a ``ChannelKind``):
    the first matching chat policy's first- and next-response targets, else (15, 20)."""
    for policy in engine.policies(AppliesTo.CHATS):
        if policy.channel and policy.channel != channel:
            continue
        first = policy.targets.get(Metric.FIRST_RESPONSE)
        nxt = policy.targets.get(Metric.NEXT_RESPONSE)
        return (
            first.seconds if first else CHAT_DEFAULTS[0],
            nxt.seconds if nxt else CHAT_DEFAULTS[1],
        )
    return CHAT_DEFAULTS


def at_risk(now: datetime, state: str = "") -> QuerySet[Ticket]:
    """Open tickets whose SLA is at risk or breached at ``now`` (``state`` narrows to one),
    soonest deadline first."""
    running = Ticket.objects.filter(status__in=OPEN_STATES, sla_state=SlaState.OK)
    breached = Q(sla_due_at__lte=now)
    risky = Q(sla_warn_at__lte=now, sla_due_at__gt=now)
    conditions: dict[str, Q] = {SlaState.BREACHED: breached, SlaState.AT_RISK: risky}
    condition = conditions.get(state, breached | risky)
    return (
        running.filter(condition)
        .select_related("customer", "assignee", "team", "sla_policy")
        .order_by("sla_due_at", "id")
    )
