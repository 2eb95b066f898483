"""Reads: the live-chat targets, the supervisors' at-risk and breached lists."""

from __future__ import annotations

from django.db.models import QuerySet

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


def at_risk(state: str = "") -> QuerySet[Ticket]:
    """Open tickets whose SLA is at risk or breached (``state`` narrows to one), soonest deadline first."""
    states = [state] if state in (SlaState.AT_RISK, SlaState.BREACHED) else [SlaState.AT_RISK, SlaState.BREACHED]
    return (
        Ticket.objects.filter(status__in=OPEN_STATES, sla_state__in=states)
        .select_related("customer", "assignee", "team", "sla_policy")
        .order_by("sla_due_at", "id")
    )
