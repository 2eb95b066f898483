"""Role × action matrix: every permission-checked action of the platform, called as every
role.  The expected table below is the product's specification, written independently of
kefu/accounts/roles.py, so a change to either shows up here."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from kefu.core.actions import load_all
from kefu.core.errors import PermissionDenied
from tests.factories import (
    CallbackTaskFactory,
    CallRecordFactory,
    ChannelFactory,
    ConversationFactory,
    CustomerFactory,
    MacroFactory,
    ProductFactory,
    TeamFactory,
    TicketFactory,
    UserFactory,
)

ALL = {"reception", "aftersales", "finance", "sales", "technician", "supervisor", "admin"}
FRONTLINE = {"reception", "aftersales", "sales", "supervisor", "admin"}
HANDLERS = ALL - {"finance"}  # everyone who talks to customers and works tickets

EXPECTED: dict[str, set[str]] = {
    "accounts.check_set_presence": ALL,
    "accounts.check_set_presence:other": {"supervisor", "admin"},
    "accounts.check_set_max_chats": {"supervisor", "admin"},
    "accounts.check_create_team": {"supervisor", "admin"},
    "accounts.check_add_team_member": {"supervisor", "admin"},
    "accounts.check_create_api_token": {"admin"},
    "accounts.check_revoke_api_token": {"admin"},
    "customers.check_create_customer": FRONTLINE,
    "customers.check_update_customer": FRONTLINE,
    "customers.check_add_identity": FRONTLINE,
    "customers.check_set_tags": FRONTLINE,
    "customers.check_add_address": FRONTLINE,
    "customers.check_set_usual_products": FRONTLINE,
    "customers.check_add_remark": ALL,
    "customers.check_set_vip_tier": {"supervisor", "admin"},
    "customers.check_assign_owner": {"supervisor", "admin"},
    "customers.check_merge_customers": {"supervisor", "admin"},
    "conversations.check_start_conversation": FRONTLINE,
    "conversations.check_send_reply": HANDLERS,
    "conversations.check_add_note": ALL,
    "conversations.check_assign": FRONTLINE,
    "conversations.check_pick_next": FRONTLINE,
    "conversations.check_transition": HANDLERS,
    "conversations.check_classify": HANDLERS,
    "conversations.collab.check_transfer": FRONTLINE,
    "conversations.collab.check_invite": FRONTLINE,
    "conversations.collab.check_whisper": {"supervisor", "admin"},
    "tickets.check_create_ticket": HANDLERS,
    "tickets.check_create_ticket:with_assignee": {"reception", "aftersales", "supervisor", "admin"},
    "tickets.check_update_ticket": HANDLERS,
    "tickets.check_assign_ticket": {"reception", "aftersales", "supervisor", "admin"},
    "tickets.check_transition_ticket": HANDLERS,
    "tickets.check_transition_ticket:cancel": {"supervisor", "admin"},
    "tickets.check_add_ticket_remark": ALL,
    "intake.phone.check_log_contact": HANDLERS,
    "intake.phone.check_add_call_notes": HANDLERS,
    "intake.phone.check_finish_callback": HANDLERS,
    "tickets.check_record_contact": HANDLERS,
    "tickets.check_set_appointment": HANDLERS,
    "tickets.check_record_arrival": HANDLERS,
    "tickets.check_set_tags": HANDLERS,
    "automation.check_apply_macro": HANDLERS,
    "tickets.check_merge_tickets": {"aftersales", "supervisor", "admin"},
    "tickets.check_split_ticket": {"aftersales", "supervisor", "admin"},
    "tickets.check_link_tickets": HANDLERS,
    "tickets.check_set_custom_fields": HANDLERS,
    "tickets.check_save_view": ALL,
    "tickets.check_delete_view": ALL,
    "tickets.check_mark_notifications_read": ALL,
    "webhooks.check_create_endpoint": {"admin"},
    "webhooks.check_update_endpoint": {"admin"},
    "webhooks.check_delete_endpoint": {"admin"},
    "webhooks.check_replay_delivery": {"admin"},
}


def _calls() -> dict[str, Callable[[Any], Any]]:
    from kefu.accounts import actions as acc
    from kefu.automation import actions as auto
    from kefu.conversations import actions as conv
    from kefu.conversations import collab
    from kefu.customers import actions as cust
    from kefu.intake.phone import actions as phone
    from kefu.tickets import actions as tick
    from kefu.webhooks import actions as hooks

    counter = iter(range(10_000))

    def fresh_customer():
        return CustomerFactory()

    return {
        "accounts.check_set_presence": lambda u: acc.check_set_presence(u, "online", actor=u),
        "accounts.check_set_presence:other": lambda u: acc.check_set_presence(UserFactory(), "away", actor=u),
        "accounts.check_set_max_chats": lambda u: acc.check_set_max_chats(UserFactory(), 8, actor=u),
        "accounts.check_create_team": lambda u: acc.check_create_team(f"组{next(counter)}", actor=u),
        "accounts.check_add_team_member": lambda u: acc.check_add_team_member(TeamFactory(), UserFactory(), actor=u),
        "accounts.check_create_api_token": lambda u: acc.check_create_api_token(UserFactory(), actor=u),
        "accounts.check_revoke_api_token": lambda u: acc.check_revoke_api_token(
            acc.do_create_api_token(UserFactory(), now=_now())[0], actor=u
        ),
        "customers.check_create_customer": lambda u: cust.check_create_customer(actor=u, name="王五"),
        "customers.check_update_customer": lambda u: cust.check_update_customer(fresh_customer(), actor=u, score=50),
        "customers.check_add_identity": lambda u: cust.check_add_identity(
            fresh_customer(), "email", f"a{next(counter)}@example.com", actor=u
        ),
        "customers.check_set_tags": lambda u: cust.check_set_tags(fresh_customer(), ["老客户"], actor=u),
        "customers.check_add_address": lambda u: cust.check_add_address(
            fresh_customer(),
            actor=u,
            name="张三",
            phone="13800000000",
            province="广东省",
            city="深圳市",
            detail="科技园 1 号",
        ),
        "customers.check_set_usual_products": lambda u: cust.check_set_usual_products(
            fresh_customer(), [ProductFactory()], actor=u
        ),
        "customers.check_add_remark": lambda u: cust.check_add_remark(fresh_customer(), "要发票", actor=u),
        "customers.check_set_vip_tier": lambda u: cust.check_set_vip_tier(fresh_customer(), 2, actor=u),
        "customers.check_assign_owner": lambda u: cust.check_assign_owner(fresh_customer(), UserFactory(), actor=u),
        "customers.check_merge_customers": lambda u: cust.check_merge_customers(
            fresh_customer(), fresh_customer(), actor=u
        ),
        "conversations.check_start_conversation": lambda u: conv.check_start_conversation(
            ChannelFactory(), fresh_customer(), actor=u
        ),
        "conversations.check_send_reply": lambda u: conv.check_send_reply(ConversationFactory(), "您好", actor=u),
        "conversations.check_add_note": lambda u: conv.check_add_note(ConversationFactory(), "备注", actor=u),
        "conversations.check_assign": lambda u: conv.check_assign(ConversationFactory(), actor=u, assignee=u),
        "conversations.check_pick_next": lambda u: conv.check_pick_next(actor=u),
        "conversations.check_transition": lambda u: conv.check_transition(ConversationFactory(), "resolve", actor=u),
        "conversations.check_classify": lambda u: conv.check_classify(
            ConversationFactory(), actor=u, service_class="delivery"
        ),
        "conversations.collab.check_transfer": lambda u: collab.check_transfer(
            ConversationFactory(), actor=u, assignee=UserFactory(), note="请跟进"
        ),
        "conversations.collab.check_invite": lambda u: collab.check_invite(
            ConversationFactory(), UserFactory(), actor=u
        ),
        "conversations.collab.check_whisper": lambda u: collab.check_whisper(ConversationFactory(), "先道歉", actor=u),
        "tickets.check_create_ticket": lambda u: tick.check_create_ticket(fresh_customer(), actor=u, subject="报修"),
        "tickets.check_create_ticket:with_assignee": lambda u: tick.check_create_ticket(
            fresh_customer(), actor=u, subject="报修", assignee=u
        ),
        "tickets.check_update_ticket": lambda u: tick.check_update_ticket(TicketFactory(), actor=u, priority="high"),
        "tickets.check_assign_ticket": lambda u: tick.check_assign_ticket(TicketFactory(), actor=u, assignee=u),
        "tickets.check_transition_ticket": lambda u: tick.check_transition_ticket(TicketFactory(), "open", actor=u),
        "tickets.check_transition_ticket:cancel": lambda u: tick.check_transition_ticket(
            TicketFactory(), "cancel", actor=u
        ),
        "tickets.check_add_ticket_remark": lambda u: tick.check_add_ticket_remark(
            TicketFactory(), "财务绿色通道", actor=u
        ),
        "tickets.check_record_contact": lambda u: tick.check_record_contact(TicketFactory(), actor=u, how="phone"),
        "tickets.check_set_appointment": lambda u: tick.check_set_appointment(
            TicketFactory(), _now() + timedelta(days=1), actor=u
        ),
        "tickets.check_record_arrival": lambda u: tick.check_record_arrival(TicketFactory(), actor=u),
        "tickets.check_set_tags": lambda u: tick.check_set_tags(TicketFactory(), ["加急"], actor=u),
        "intake.phone.check_log_contact": lambda u: phone.check_log_contact(
            actor=u,
            medium="phone",
            direction="in",
            number="13800000000",
            customer=None,
            started_at=_now(),
            minutes=3,
            outcome="answered",
            notes="",
        ),
        "intake.phone.check_add_call_notes": lambda u: phone.check_add_call_notes(CallRecordFactory(), "记录", actor=u),
        "intake.phone.check_finish_callback": lambda u: phone.check_finish_callback(CallbackTaskFactory(), actor=u),
        "tickets.check_merge_tickets": lambda u: _merge(u),
        "tickets.check_split_ticket": lambda u: tick.check_split_ticket(TicketFactory(), actor=u, subject="拆分"),
        "tickets.check_link_tickets": lambda u: tick.check_link_tickets(TicketFactory(), TicketFactory(), actor=u),
        "tickets.check_set_custom_fields": lambda u: tick.check_set_custom_fields(TicketFactory(), {}, actor=u),
        "tickets.check_save_view": lambda u: tick.check_save_view(actor=u, name="我的", query="status=open"),
        "tickets.check_delete_view": lambda u: tick.check_delete_view(
            tick.check_save_view(actor=u, name="临时", query="q=1"), actor=u
        ),
        "tickets.check_mark_notifications_read": lambda u: tick.check_mark_notifications_read(actor=u),
        "automation.check_apply_macro": lambda u: auto.check_apply_macro(
            TicketFactory(), MacroFactory(actions=[{"type": "add_tag", "value": "宏"}]), actor=u
        ),
        "webhooks.check_create_endpoint": lambda u: hooks.check_create_endpoint(
            actor=u, name="ERP", url="https://erp.example.com/hook", event_types=["ticket.created"]
        ),
        "webhooks.check_update_endpoint": lambda u: hooks.check_update_endpoint(_endpoint(), actor=u, active=False),
        "webhooks.check_delete_endpoint": lambda u: hooks.check_delete_endpoint(_endpoint(), actor=u),
        "webhooks.check_replay_delivery": lambda u: hooks.check_replay_delivery(_delivery(), actor=u),
    }


def _endpoint():
    from kefu.webhooks.models import Endpoint

    return Endpoint.objects.create(
        name="ERP",
        url="https://erp.example.com/hook",
        secret="s" * 20,
        event_types=["ticket.created"],
        created_at=_now(),
    )


def _delivery():
    from kefu.webhooks.models import Delivery

    return Delivery.objects.create(
        endpoint=_endpoint(), event_type="ticket.created", event_key="ticket:1#1", payload={}, created_at=_now()
    )


def _merge(user):
    from kefu.tickets import actions as tick

    customer = CustomerFactory()
    return tick.check_merge_tickets(TicketFactory(customer=customer), TicketFactory(customer=customer), actor=user)


def _now():
    from kefu.core import clock

    return clock.now()


def test_matrix_rows_name_registered_actions(db):
    # Given every app's actions (coverage of all of them: test_permission_matrix_service.py),
    registered = set(load_all())
    # then each row here names a registered action and has a call.
    assert {name.split(":", 1)[0] for name in EXPECTED} <= registered
    assert set(EXPECTED) == set(_calls())


@pytest.mark.parametrize("action_name", sorted(EXPECTED))
def test_role_matrix(action_name, roles):
    calls = _calls()
    for role, user in roles.items():
        # Given a member of `role`, when they attempt the action,
        allowed = role in EXPECTED[action_name]
        if allowed:
            calls[action_name](user)  # then it succeeds,
        else:
            with pytest.raises(PermissionDenied):  # or is refused in the action itself.
                calls[action_name](user)


def test_anonymous_and_inactive_users_are_refused(db):
    from kefu.customers import actions as cust

    # Given an inactive administrator and no user at all,
    admin = UserFactory(role="admin", username="left_the_company", is_active=False)
    # when they try to write, then the action refuses.
    with pytest.raises(PermissionDenied):
        cust.check_create_customer(actor=admin, name="x")
    with pytest.raises(PermissionDenied):
        cust.check_create_customer(actor=None, name="x")
