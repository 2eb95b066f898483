"""Routing live conversations to agents (R14–R16, issue 4).

Queues are per team (skill group), or per channel when the channel has no team.  A
conversation waiting for an agent has ``queued_at`` set and no assignee.  ``route`` picks:

1. a VIP customer's conversation goes to the channel's VIP team when one is set;
2. a returning customer goes back to the agent who served them last, when that agent is
   online and below their chat limit;
3. otherwise the channel's strategy: round robin (the eligible agent routed to longest ago)
   or least busy (fewest open chats, then longest ago); "manual" leaves it in the queue
   for agents to pick.

Eligible agents are active, online, members of the queue's team (any agent who may reply
when the queue has no team) and below their ``max_concurrent_chats``.  The chosen agent's
row is locked while their load is counted, so two routers never overfill one agent.  Every
decision — including "no one available" — is written to ``Conversation.routing``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from kefu.accounts.choices import Presence
from kefu.accounts.models import User
from kefu.conversations.choices import ChannelKind, ConversationStatus, RoutingStrategy
from kefu.conversations.models import Conversation
from kefu.core.assignment import assign_locked
from kefu.core.events import notify, publish, record_audit

# How a routing decision reads in the workspace (Conversation.routing["reason"]).
ROUTING_REASONS = {
    "previous_agent": _("back to the agent who served this customer before"),
    "round_robin": _("round robin"),
    "least_busy": _("least busy agent"),
    "manual_queue": _("waiting for an agent to pick it"),
    "manual": _("assigned by hand"),
    "no_agent_available": _("no agent available, waiting in the queue"),
    "picked": _("picked from the queue"),
}

# Channels whose conversations are live and routed; email threads are tickets' business.
LIVE_KINDS = (ChannelKind.WEB_CHAT, ChannelKind.PLATFORM, ChannelKind.SOCIAL, ChannelKind.VIDEO)
# Conversations that count against an agent's chat limit.
LOAD_STATES = (ConversationStatus.OPEN, ConversationStatus.PENDING)
QUEUE_STATES = (ConversationStatus.OPEN, ConversationStatus.PENDING)


def agent_queryset(team: Any) -> QuerySet[User]:
    """Agents who could take a chat of this queue if they were online and had room."""
    users = User.objects.filter(is_active=True)
    if team is not None:
        return users.filter(teams=team)
    return users.filter(
        Q(is_superuser=True)
        | Q(
            groups__permissions__codename="reply_conversation",
            groups__permissions__content_type__app_label="conversations",
        )
    ).distinct()


def loads(user_ids: list[int]) -> dict[int, int]:
    rows = (
        Conversation.objects.filter(assignee_id__in=user_ids, status__in=LOAD_STATES)
        .values("assignee_id")
        .annotate(n=Count("id"))
    )
    return {row["assignee_id"]: row["n"] for row in rows}


def candidates(team: Any) -> list[tuple[User, int]]:
    """Online agents of the queue with room, with their current load."""
    agents = list(agent_queryset(team).filter(presence=Presence.ONLINE, max_concurrent_chats__gt=0))
    load = loads([a.pk for a in agents])
    return [(a, load.get(a.pk, 0)) for a in agents if load.get(a.pk, 0) < a.max_concurrent_chats]


def _order(strategy: str, pool: list[tuple[User, int]]) -> list[tuple[User, int]]:
    def longest_ago(agent: User) -> tuple[int, float, int]:
        at = agent.last_routed_at
        return (0 if at is None else 1, at.timestamp() if at else 0.0, agent.pk)

    if strategy == RoutingStrategy.ROUND_ROBIN:
        return sorted(pool, key=lambda item: longest_ago(item[0]))
    return sorted(pool, key=lambda item: (item[1], *longest_ago(item[0])))


def _has_room(agent_id: int) -> bool:
    """Lock the agent's row and count again: the decisive check, serialised per agent."""
    agent = User.objects.select_for_update().filter(pk=agent_id, is_active=True, presence=Presence.ONLINE).first()
    if agent is None:
        return False
    load = Conversation.objects.filter(assignee_id=agent_id, status__in=LOAD_STATES).count()
    return load < agent.max_concurrent_chats


def previous_agent(conversation: Conversation) -> int | None:
    return (
        Conversation.objects.filter(customer_id=conversation.customer_id, assignee__isnull=False)
        .exclude(pk=conversation.pk)
        .order_by("-last_message_at", "-id")
        .values_list("assignee_id", flat=True)
        .first()
    )


def queue_team(conversation: Conversation) -> tuple[Any, bool]:
    """The team whose queue the conversation belongs to, and whether that is for VIP."""
    channel = conversation.channel
    if channel.vip_team_id and conversation.customer.is_vip:
        return channel.vip_team, True
    return conversation.team or channel.team, False


def route(conversation_id: int, *, now: datetime, actor: Any = None) -> Conversation:
    """Assign a waiting conversation to an agent, or leave it queued with the reason."""
    with transaction.atomic():
        conversation = (
            Conversation.objects.select_for_update(of=("self",))
            .select_related("channel", "customer", "channel__vip_team", "channel__team")
            .get(pk=conversation_id)
        )
        if conversation.assignee_id or conversation.status not in QUEUE_STATES:
            return conversation
        team, vip = queue_team(conversation)
        strategy = conversation.channel.routing
        decision: dict[str, Any] = {
            "at": now.isoformat(),
            "strategy": strategy,
            "team": team.pk if team else None,
            "vip": vip,
        }
        chosen: User | None = None
        pool = candidates(team)
        prev = previous_agent(conversation)
        if prev is not None and any(a.pk == prev for a, _load in pool) and _has_room(prev):
            chosen = next(a for a, _load in pool if a.pk == prev)
            decision["reason"] = "previous_agent"
        elif strategy == RoutingStrategy.MANUAL:
            decision["reason"] = "manual_queue"
        else:
            for agent, load in _order(strategy, pool):
                if _has_room(agent.pk):
                    chosen = agent
                    decision.update(reason=strategy, load=load)
                    break
            else:
                decision["reason"] = "no_agent_available"
        decision["candidates"] = [a.pk for a, _load in pool][:20]
        first_queueing = conversation.queued_at is None
        updates = ["routing", "updated_at"]
        conversation.routing = decision
        conversation.updated_at = now
        new_team = team if team is not None and conversation.team_id != team.pk else None
        if first_queueing:
            conversation.queued_at = now
            updates.append("queued_at")
        if chosen is None:
            if new_team is not None:
                conversation.team = new_team
                updates.append("team")
            conversation.save(update_fields=updates)
            if first_queueing:
                record_audit(conversation, "conversation.queued", actor=actor, now=now, data=decision)
            return conversation
        conversation.assigned_at = now
        # The one way a record is assigned; the row is already locked above, so no second read.
        assign_locked(
            Conversation,
            conversation.pk,
            assignee=chosen,
            team=new_team,
            actor=actor,
            now=now,
            verb="conversation.routed",
            data=decision,
            row=conversation,
            fields=[*updates, "assigned_at"],
        )
        User.objects.filter(pk=chosen.pk).update(last_routed_at=now)
        summary = assignment_payload(conversation)
        publish(conversation.stream_key, "conversation", "assigned", summary, now=now)
        notify("inbox", "conversation", "assigned", summary, now=now)
    return conversation


def assignment_payload(conversation: Conversation) -> dict[str, Any]:
    agent = conversation.assignee
    return {
        "conversation": conversation.pk,
        "status": conversation.status,
        "assignee": conversation.assignee_id,
        "assignee_name": (agent.display_name or agent.get_username()) if agent else "",
        "team": conversation.team_id,
    }


def waiting(team: Any = None) -> QuerySet[Conversation]:
    """The queue: live conversations no agent holds yet, oldest first."""
    qs = Conversation.objects.filter(
        assignee__isnull=True, status__in=QUEUE_STATES, queued_at__isnull=False, channel__kind__in=LIVE_KINDS
    )
    if team is not None:
        qs = qs.filter(team=team)
    return qs.order_by("queued_at", "id")


def queue_for(agent: Any) -> QuerySet[Conversation]:
    """What an agent may pick: their teams' queues and the team-less ones (every queue when
    they belong to no team), longest waiting first."""
    queue = waiting()
    teams = list(agent.teams.all())
    if teams:
        queue = queue.filter(Q(team__in=teams) | Q(team__isnull=True))
    return queue.order_by("queued_at", "id")


def queue_position(conversation: Conversation) -> int:
    """1 for the next in line; 0 when an agent already has it."""
    if conversation.assignee_id or conversation.queued_at is None:
        return 0
    ahead = (
        waiting()
        .filter(Q(team__isnull=True) if conversation.team_id is None else Q(team_id=conversation.team_id))
        .filter(Q(queued_at__lt=conversation.queued_at) | Q(queued_at=conversation.queued_at, id__lt=conversation.pk))
    )
    if conversation.team_id is None:
        ahead = ahead.filter(channel_id=conversation.channel_id)
    return ahead.count() + 1


def drain(*, now: datetime, limit: int = 200) -> int:
    """Offer queued conversations to agents who now have room (after someone comes
    online or finishes a chat, and on every sweep as a safety net)."""
    if not candidates_exist():
        return 0
    routed = 0
    for conversation_id in (
        waiting().exclude(channel__routing=RoutingStrategy.MANUAL).values_list("id", flat=True)[:limit]
    ):
        if route(conversation_id, now=now).assignee_id:
            routed += 1
    return routed


def candidates_exist() -> bool:
    return (
        User.objects.filter(is_active=True, presence=Presence.ONLINE, max_concurrent_chats__gt=0)
        .annotate(
            load=Count(
                "assigned_conversations",
                filter=Q(assigned_conversations__status__in=LOAD_STATES),
            )
        )
        .filter(load__lt=F("max_concurrent_chats"))
        .exists()
    )
