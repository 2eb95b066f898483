"""Automation: event triggers, time triggers and macros, all through the tickets' action layer."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from kefu.automation.actions import check_apply_macro, sweep_time_triggers
from kefu.conversations.models import Message
from kefu.core.errors import PermissionDenied
from kefu.core.events import audit_trail
from kefu.core.models import Notification
from kefu.tickets import actions
from kefu.tickets.models import Ticket
from tests.factories import (
    CannedReplyFactory,
    ConversationFactory,
    CustomerFactory,
    MacroFactory,
    TeamFactory,
    TimeTriggerFactory,
    TriggerFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2025, 3, 3, 10, tzinfo=SH)


def create(**kwargs):
    kwargs.setdefault("subject", "光模块无法识别")
    return actions.do_create_ticket(kwargs.pop("customer", None) or CustomerFactory(), now=T0, **kwargs)


def verbs(ticket):
    return [e.verb for e in audit_trail(ticket).order_by("id")]


def test_event_trigger_classifies_a_complaint():
    # Given a trigger: complaints become high priority, tagged and announced to the team leader,
    leader = UserFactory(role="supervisor")
    team = TeamFactory(leader=leader)
    TriggerFactory(
        conditions=[{"field": "type", "op": "eq", "value": "complaint"}],
        actions=[
            {"type": "set_priority", "value": "high"},
            {"type": "add_tag", "value": "投诉"},
            {"type": "notify", "value": "leader"},
        ],
    )
    # when a complaint and a consultation are created,
    complaint = create(type="complaint", team=team)
    other = create(type="consultation", team=team)
    complaint.refresh_from_db()
    other.refresh_from_db()
    # then only the complaint is changed, each change audited.
    assert complaint.priority == "high"
    assert actions.tag_list(complaint) == ["投诉"]
    assert Notification.objects.filter(user=leader, ticket=complaint, kind="automation").count() == 1
    assert "automation.trigger" in verbs(complaint)
    assert other.priority == "normal"
    assert other.tags == ""


def test_a_trigger_cannot_fire_itself_in_a_loop():
    # Given a trigger on every change that itself changes the ticket (adds a tag),
    TriggerFactory(event="ticket.updated", actions=[{"type": "add_tag", "value": "touched"}])
    ticket = create()
    agent = UserFactory(role="supervisor")
    # when an agent changes the ticket,
    with time_machine.travel(T0, tick=False):
        actions.check_update_ticket(ticket, actor=agent, priority="high")
    # then the trigger ran once, and its own change did not run it again.
    trail = verbs(ticket)
    assert trail.count("automation.trigger") == 1
    assert trail.count("automation.loop_prevented") == 1
    assert actions.tag_list(Ticket.objects.get(pk=ticket.pk)) == ["touched"]


def test_two_triggers_that_undo_each_other_stop():
    # Given A: high → urgent and B: urgent → high (a ping-pong),
    TriggerFactory(
        name="A",
        event="ticket.updated",
        conditions=[{"field": "priority", "op": "eq", "value": "high"}],
        actions=[{"type": "set_priority", "value": "urgent"}],
    )
    TriggerFactory(
        name="B",
        event="ticket.updated",
        conditions=[{"field": "priority", "op": "eq", "value": "urgent"}],
        actions=[{"type": "set_priority", "value": "high"}],
    )
    ticket = create()
    with time_machine.travel(T0, tick=False):
        actions.check_update_ticket(ticket, actor=UserFactory(role="supervisor"), priority="high")
    # then each ran once in the chain and the loop was cut.
    trail = verbs(ticket)
    assert trail.count("automation.trigger") == 2
    assert "automation.loop_prevented" in trail
    assert Ticket.objects.get(pk=ticket.pk).priority == "high"


def test_shipped_time_trigger_reminds_after_48_hours_waiting_once():
    agent = UserFactory(role="aftersales")
    ticket = create(assignee=agent)
    actions.do_transition_ticket(ticket, "wait_customer", actor=agent, now=T0)
    # Not yet after 47 hours; once after 48, never twice.
    assert sweep_time_triggers(T0 + timedelta(hours=47)) == 0
    assert sweep_time_triggers(T0 + timedelta(hours=48)) == 1
    assert sweep_time_triggers(T0 + timedelta(hours=72)) == 0
    assert Notification.objects.filter(user=agent, ticket=ticket, kind="automation").count() == 1
    # A new stay in pending is a new reminder.
    actions.do_customer_replied(ticket, now=T0 + timedelta(hours=80))
    actions.do_transition_ticket(ticket, "wait_customer", actor=agent, now=T0 + timedelta(hours=81))
    assert sweep_time_triggers(T0 + timedelta(hours=81 + 48)) == 1


def test_time_trigger_conditions():
    # Given an extra time trigger for VIP customers only: after 2 hours on hold, tell the leader,
    leader = UserFactory(role="supervisor")
    TimeTriggerFactory(
        status="on_hold",
        hours=2,
        conditions=[{"field": "customer.vip_tier", "op": "gte", "value": 2}],
        actions=[{"type": "notify", "value": "leader"}],
    )
    vip = create(customer=CustomerFactory(vip_tier=3), team=TeamFactory(leader=leader))
    plain = create(team=TeamFactory(leader=leader))
    for t in (vip, plain):
        actions.do_transition_ticket(t, "hold", actor=leader, now=T0)
    # then only the VIP ticket notifies.
    assert sweep_time_triggers(T0 + timedelta(hours=3)) == 1
    assert list(Notification.objects.filter(user=leader).values_list("ticket_id", flat=True)) == [vip.pk]


def test_shipped_time_trigger_closes_resolved_tickets_after_7_days():
    agent = UserFactory(role="aftersales")
    ticket = create(assignee=agent)
    actions.do_transition_ticket(ticket, "resolve", actor=agent, now=T0)
    assert sweep_time_triggers(T0 + timedelta(days=6)) == 0
    assert sweep_time_triggers(T0 + timedelta(days=7, minutes=1)) == 1
    assert Ticket.objects.get(pk=ticket.pk).status == "closed"


def test_macro_applies_through_the_agents_permissions():
    # Given a macro that escalates (priority, tag, remark),
    macro = MacroFactory(
        actions=[
            {"type": "set_priority", "value": "urgent"},
            {"type": "add_tag", "value": "升级"},
            {"type": "add_remark", "value": "已升级处理"},
        ]
    )
    ticket = create()
    # when an after-sales agent applies it,
    agent = UserFactory(role="aftersales")
    check_apply_macro(ticket, macro, actor=agent)
    # then every action ran as that agent.
    assert ticket.priority == "urgent"
    assert actions.tag_list(ticket) == ["升级"]
    assert ticket.remarks.get().author == agent
    assert "automation.macro" in verbs(ticket)
    # A finance user may not change tickets, so the macro is refused and nothing changes.
    with pytest.raises(PermissionDenied):
        check_apply_macro(create(), macro, actor=UserFactory(role="finance"))


def test_macro_step_the_agent_may_not_do_rolls_back_the_whole_macro():
    # Reception may change tickets but not cancel them: the macro stops and nothing is kept.
    macro = MacroFactory(actions=[{"type": "set_priority", "value": "high"}, {"type": "transition", "value": "cancel"}])
    ticket = create()
    with pytest.raises(PermissionDenied):
        check_apply_macro(ticket, macro, actor=UserFactory(role="reception"))
    assert Ticket.objects.get(pk=ticket.pk).priority == "normal"


def test_canned_reply_and_follow_up_task():
    reply = CannedReplyFactory()
    conversation = ConversationFactory()
    TriggerFactory(
        conditions=[{"field": "type", "op": "eq", "value": "repair"}],
        actions=[{"type": "canned_reply", "value": reply.key}, {"type": "create_task", "value": "安排上门检测"}],
    )
    ticket = create(type="repair", customer=conversation.customer, conversation=conversation)
    # The customer got the canned reply in the conversation, which counts as the first response,
    assert Message.objects.filter(conversation=conversation, author_kind="agent", text=reply.text).exists()
    ticket.refresh_from_db()
    assert ticket.first_responded_at is not None
    # and a follow-up task hangs under the ticket.
    assert [c.subject for c in ticket.children.all()] == ["安排上门检测"]


def test_a_failing_trigger_action_is_skipped_and_audited():
    TriggerFactory(actions=[{"type": "canned_reply", "value": "no-such-reply"}, {"type": "add_tag", "value": "ok"}])
    ticket = create()
    assert "automation.skipped" in verbs(ticket)
    assert actions.tag_list(Ticket.objects.get(pk=ticket.pk)) == ["ok"]


@pytest.mark.parametrize(
    "bad",
    [
        {"actions": [{"type": "explode"}]},
        {"actions": []},
        {"actions": [{"type": "set_priority", "value": "whenever"}]},
        {"conditions": [{"field": "password", "op": "eq", "value": 1}]},
        {"conditions": [{"field": "type", "op": "in", "value": "complaint"}]},
    ],
)
def test_bad_rules_are_refused_with_a_reason(bad):
    trigger = TriggerFactory.build(**bad)
    with pytest.raises(ValidationError):
        trigger.full_clean()


def test_conditions_on_conversation_fields():
    # A trigger for tickets opened from a web chat only.
    TriggerFactory(
        conditions=[{"field": "conversation.channel", "op": "eq", "value": "web_chat"}],
        actions=[{"type": "add_tag", "value": "来自在线客服"}],
    )
    conversation = ConversationFactory()
    from_chat = create(conversation=conversation, customer=conversation.customer)
    by_phone = create()
    assert actions.tag_list(Ticket.objects.get(pk=from_chat.pk)) == ["来自在线客服"]
    assert actions.tag_list(Ticket.objects.get(pk=by_phone.pk)) == []
