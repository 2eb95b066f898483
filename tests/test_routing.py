"""Routing live chats to agents: strategies, presence, chat limits, VIP team, returning
customers, the queue, and opening hours."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from kefu.accounts.actions import do_set_presence
from kefu.accounts.choices import Presence, TeamKind
from kefu.conversations.actions import do_start_conversation, do_transition
from kefu.conversations.models import Conversation
from kefu.conversations.router import drain, queue_position, route
from kefu.conversations.visitors import availability, is_open, next_opening, validate_hours
from kefu.core import clock
from kefu.core.errors import ValidationFailed
from kefu.customers.choices import VipTier
from tests.factories import ChannelFactory, CustomerFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def agent(name: str, team=None, *, online: bool = True, limit: int = 5):
    user = UserFactory(username=name, role="reception", max_concurrent_chats=limit)
    if online:
        do_set_presence(user, Presence.ONLINE, now=clock.now())
    if team is not None:
        team.members.add(user, through_defaults={"joined_at": clock.now()})
    return user


def chat(channel, customer=None):
    conversation = do_start_conversation(channel, customer or CustomerFactory(), now=clock.now())
    return route(conversation.pk, now=clock.now())


def test_least_busy_picks_the_agent_with_fewest_open_chats():
    team = TeamFactory(name="在线组")
    channel = ChannelFactory(team=team, routing="least_busy")
    busy, idle = agent("busy", team), agent("idle", team)
    assert chat(channel).assignee == busy  # a tie: the one routed to longest ago (never), lower id
    # When a new chat arrives while busy holds one
    routed = chat(channel)
    # Then it goes to the idle agent, and the decision is recorded
    assert routed.assignee == idle
    assert routed.routing["reason"] == "least_busy"
    assert routed.routing["load"] == 0
    assert set(routed.routing["candidates"]) == {busy.pk, idle.pk}
    assert routed.assigned_at is not None


def test_round_robin_takes_turns_and_skips_offline_and_full_agents():
    team = TeamFactory(name="在线组")
    channel = ChannelFactory(team=team, routing="round_robin")
    a, b = agent("a", team), agent("b", team)
    agent("offline", team, online=False)
    full = agent("full", team, limit=0)
    owners = [chat(channel).assignee for _ in range(4)]
    assert owners == [a, b, a, b]
    assert full not in owners


def test_chat_limit_is_respected_and_the_rest_wait_in_the_queue():
    team = TeamFactory(name="在线组")
    channel = ChannelFactory(team=team)
    only = agent("only", team, limit=2)
    first, second, third = chat(channel), chat(channel), chat(channel)
    assert first.assignee == only
    assert second.assignee == only
    assert third.assignee is None
    assert third.routing["reason"] == "no_agent_available"
    assert queue_position(third) == 1
    # When the agent resolves a chat, the waiting one is offered to them
    do_transition(first, "resolve", actor=only, now=clock.now())
    assert drain(now=clock.now()) == 1
    third.refresh_from_db()
    assert third.assignee == only


def test_vip_customers_go_to_the_vip_team():
    general = TeamFactory(name="在线组")
    vip_team = TeamFactory(name="VIP专席", kind=TeamKind.SKILL, is_vip=True)
    channel = ChannelFactory(team=general, vip_team=vip_team)
    agent("general", general)
    vip_agent = agent("vip", vip_team)
    vip = CustomerFactory(vip_tier=VipTier.GOLD)
    routed = chat(channel, vip)
    assert routed.assignee == vip_agent
    assert routed.team == vip_team
    assert routed.routing["vip"] is True


def test_manual_channels_leave_chats_in_the_queue_for_agents_to_pick():
    team = TeamFactory(name="在线组")
    channel = ChannelFactory(team=team, routing="manual")
    agent("x", team)
    first, second = chat(channel), chat(channel)
    assert first.assignee is None
    assert first.routing["reason"] == "manual_queue"
    assert [queue_position(first), queue_position(second)] == [1, 2]
    assert drain(now=clock.now()) == 0  # the sweeper does not assign manual queues


def test_an_agent_coming_online_drains_the_queue():
    team = TeamFactory(name="在线组")
    channel = ChannelFactory(team=team)
    late = agent("late", team, online=False)
    waiting = chat(channel)
    assert waiting.assignee is None
    do_set_presence(late, Presence.ONLINE, now=clock.now())
    assert drain(now=clock.now()) == 1
    assert Conversation.objects.get(pk=waiting.pk).assignee == late


def test_opening_hours_and_the_next_opening():
    channel = ChannelFactory(hours=[{"days": [0, 1, 2, 3, 4], "start": "09:00", "end": "18:00"}])
    # Monday 2026-11-23 10:00 in Shanghai is 02:00 UTC
    assert is_open(channel, datetime(2026, 11, 23, 2, 0, tzinfo=UTC))
    # Friday 19:00 Shanghai: closed; opens Monday 09:00 Shanghai (01:00 UTC)
    friday_evening = datetime(2026, 11, 27, 11, 0, tzinfo=UTC)
    assert not is_open(channel, friday_evening)
    assert next_opening(channel, friday_evening) == datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
    with time_machine.travel(friday_evening, tick=False):
        state = availability(channel, clock.now())
    assert state == {"open": False, "online": False, "next_opening": "2026-11-30T01:00:00+00:00"}
    assert is_open(ChannelFactory(hours=[]), friday_evening)


def test_bad_opening_hours_are_refused_with_a_clear_message():
    with pytest.raises(ValidationFailed, match="days are 0–6"):
        validate_hours([{"days": [7], "start": "09:00", "end": "18:00"}])
    with pytest.raises(ValidationFailed, match="looks like"):
        validate_hours([{"start": "09:00"}])
    with pytest.raises(ValidationFailed, match="ends after"):
        validate_hours([{"days": [1], "start": "18:00", "end": "09:00"}])


def test_an_agent_picks_the_longest_waiting_chat_from_the_queue(client):
    team = TeamFactory(name="在线组")
    channel = ChannelFactory(team=team, routing="manual")
    me = agent("me", team)
    first, second = chat(channel), chat(channel)
    client.force_login(me)
    # Given two chats wait in my team's queue, when I press "pick next"
    response = client.post("/inbox/pick/")
    # Then I get the one that waited longest, and the queue moves up
    assert response.status_code == 302
    assert response["Location"] == f"/conversations/{first.pk}/"
    first.refresh_from_db()
    assert first.assignee == me
    assert first.routing["reason"] == "picked"
    second.refresh_from_db()
    assert queue_position(second) == 1
    page = client.get(f"/conversations/{first.pk}/")
    assert "picked from the queue" in page.content.decode() or "从队列中领取" in page.content.decode()


def test_two_agents_picking_get_different_chats_and_an_empty_queue_says_so():
    from kefu.conversations.actions import check_pick_next

    team = TeamFactory(name="在线组")
    channel = ChannelFactory(team=team, routing="manual")
    a, b = agent("a", team), agent("b", team)
    first, second = chat(channel), chat(channel)
    assert check_pick_next(actor=a) == first
    assert check_pick_next(actor=b) == second
    assert check_pick_next(actor=a) is None
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.assignee, second.assignee) == (a, b)


def test_opening_a_chat_marks_it_read_only_for_its_own_agent(client):
    from kefu.conversations.actions import do_post_message

    team = TeamFactory(name="在线组")
    channel = ChannelFactory(team=team)
    mine = agent("mine", team)
    conversation = chat(channel)
    message, _created = do_post_message(conversation, author_kind="customer", text="你好", now=clock.now())
    watcher = UserFactory(username="boss", role="supervisor")
    client.force_login(watcher)
    client.get(f"/conversations/{conversation.pk}/")
    assert Conversation.objects.get(pk=conversation.pk).agent_read_upto == 0  # a supervisor watching
    client.force_login(mine)
    client.get(f"/conversations/{conversation.pk}/")
    assert Conversation.objects.get(pk=conversation.pk).agent_read_upto == message.pk
