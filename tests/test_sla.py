"""SLA policies on tickets: matching, due columns, pauses, the sweeper and breach actions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from kefu.core import clock
from kefu.core.events import audit_trail
from kefu.core.models import AuditEvent, Notification
from kefu.core.tasks import sweep_once
from kefu.sla import selectors
from kefu.sla.models import SlaTimer
from kefu.sla.sweep import sweep
from kefu.tickets import actions
from kefu.tickets.models import Ticket
from tests.factories import (
    CalendarDayFactory,
    CustomerFactory,
    SlaPolicyFactory,
    SlaTargetFactory,
    TeamFactory,
    UserFactory,
)

SH = ZoneInfo("Asia/Shanghai")
# Monday 3 March 2025, 10:00 in Shanghai: an ordinary working day.
MONDAY_10 = datetime(2025, 3, 3, 10, 0, tzinfo=SH)


def create(now: datetime, **kwargs):
    kwargs.setdefault("subject", "光模块无法识别")
    customer = kwargs.pop("customer", None) or CustomerFactory()
    return actions.do_create_ticket(customer, now=now, **kwargs)


def verbs(ticket) -> list[str]:
    return [e.verb for e in audit_trail(ticket).order_by("id")]


@pytest.mark.django_db
class TestPolicies:
    def test_service_request_is_answered_within_24_hours(self):
        # Given the shipped policies, when a plain ticket is created,
        ticket = create(MONDAY_10)
        # then its first response is due 24 h later (R7) and the choice is recorded.
        assert ticket.first_response_due_at == MONDAY_10 + timedelta(hours=24)
        assert ticket.sla_policy.name.startswith("服务请求")
        assert ticket.sla_state == "ok"
        created = audit_trail(ticket).get(verb="ticket.created")
        assert created.data["sla_policy"] == ticket.sla_policy_id
        assert Ticket.objects.get(pk=ticket.pk).first_response_due_at == MONDAY_10 + timedelta(hours=24)

    def test_hotline_question_is_answered_within_4_hours(self):
        ticket = create(MONDAY_10, source="phone")
        assert ticket.first_response_due_at == MONDAY_10 + timedelta(hours=4)

    def test_complaint_is_contacted_the_same_working_day(self):
        # A complaint at 10:00 is due at 18:00 the same day (R9) …
        assert create(MONDAY_10, type="complaint").first_response_due_at == datetime(2025, 3, 3, 18, tzinfo=SH)
        # … one on the evening of 30 September 2025 by the close of the first day after National Day.
        late = create(datetime(2025, 9, 30, 19, tzinfo=SH), type="complaint")
        assert late.first_response_due_at == datetime(2025, 10, 9, 18, tzinfo=SH)

    def test_training_within_a_month_and_order_dispatch_within_48_hours(self):
        assert create(MONDAY_10, type="training").resolution_due_at == MONDAY_10 + timedelta(days=30)
        assert create(MONDAY_10, type="order").resolution_due_at == MONDAY_10 + timedelta(hours=48)

    def test_first_matching_policy_wins_by_position(self):
        # Given a VIP policy ahead of the shipped ones,
        vip = SlaPolicyFactory(name="VIP", min_vip_tier=2, position=1)
        SlaTargetFactory(policy=vip, seconds=600)
        # when a gold customer and a regular one open tickets,
        gold = create(MONDAY_10, customer=CustomerFactory(vip_tier=2))
        plain = create(MONDAY_10, customer=CustomerFactory(vip_tier=0))
        # then only the gold customer gets 10 minutes.
        assert gold.sla_policy_id == vip.pk
        assert gold.first_response_due_at == MONDAY_10 + timedelta(minutes=10)
        assert plain.sla_policy_id != vip.pk

    def test_changing_the_type_applies_the_new_policy(self):
        with time_machine.travel(MONDAY_10, tick=False):
            ticket = create(MONDAY_10)
            agent = UserFactory(role="supervisor")
            actions.check_update_ticket(ticket, actor=agent, type="complaint")
        ticket.refresh_from_db()
        assert ticket.sla_policy.ticket_type == "complaint"
        assert ticket.first_response_due_at == datetime(2025, 3, 3, 18, tzinfo=SH)
        assert verbs(ticket).count("sla.policy_applied") == 1

    def test_chat_targets_come_from_the_chat_policy(self):
        assert selectors.chat_targets("web_chat") == (15, 20)
        # A chat policy for video chat changes only video chat.
        video = SlaPolicyFactory(applies_to="chats", channel="video", position=1)
        SlaTargetFactory(policy=video, metric="first_response", seconds=10)
        SlaTargetFactory(policy=video, metric="next_response", seconds=30)
        assert selectors.chat_targets("video") == (10, 30)
        assert selectors.chat_targets("web_chat") == (15, 20)

    def test_business_time_policy_with_an_administrator_holiday(self):
        # Given a 2-business-hour policy on the workdays calendar and Tuesday 4 March closed by the admin,
        policy = SlaPolicyFactory(calendar=CalendarDayFactory(date=date(2025, 3, 4)).calendar)
        SlaTargetFactory(policy=policy, seconds=2 * 3600, business=True)
        # when a ticket arrives Monday 17:00, then it is due Wednesday 10:00.
        ticket = create(datetime(2025, 3, 3, 17, tzinfo=SH))
        assert ticket.first_response_due_at == datetime(2025, 3, 5, 10, tzinfo=SH)


@pytest.mark.django_db
class TestPauses:
    def test_hold_pauses_and_resume_moves_the_deadline_by_the_paused_time(self):
        agent = UserFactory(role="supervisor")
        ticket = create(MONDAY_10)
        # When it waits on a third party for 3 hours,
        actions.do_transition_ticket(ticket, "hold", actor=agent, now=MONDAY_10 + timedelta(hours=1))
        assert ticket.sla_state == "paused"
        assert ticket.first_response_due_at is None
        actions.do_transition_ticket(ticket, "resume", actor=agent, now=MONDAY_10 + timedelta(hours=4))
        # then the deadline moves 3 hours later.
        ticket.refresh_from_db()
        assert ticket.first_response_due_at == MONDAY_10 + timedelta(hours=27)
        assert ticket.sla_state == "ok"

    def test_waiting_on_the_customer_counts_as_a_response_and_the_reply_starts_next_response(self):
        agent = UserFactory(role="supervisor")
        ticket = create(MONDAY_10, source="phone")
        actions.do_transition_ticket(ticket, "wait_customer", actor=agent, now=MONDAY_10 + timedelta(minutes=30))
        assert ticket.first_responded_at == MONDAY_10 + timedelta(minutes=30)
        # When the customer replies two days later (the system event customer_replied),
        replied = MONDAY_10 + timedelta(days=2)
        actions.do_customer_replied(ticket, now=replied)
        # then the ticket is open again and the next response is due 4 h later.
        ticket.refresh_from_db()
        assert ticket.status == "open"
        assert ticket.next_response_due_at == replied + timedelta(hours=4)
        assert ticket.sla_state == "ok"
        assert "ticket.customer_replied" in verbs(ticket)

    def test_resolving_meets_targets_and_reopening_resumes_resolution(self):
        agent = UserFactory(role="supervisor")
        ticket = create(MONDAY_10, type="order")  # resolution within 48 h
        actions.do_transition_ticket(ticket, "resolve", actor=agent, now=MONDAY_10 + timedelta(hours=10))
        assert ticket.sla_state == "met"
        actions.do_transition_ticket(ticket, "reopen", actor=agent, now=MONDAY_10 + timedelta(hours=30))
        ticket.refresh_from_db()
        # The 20 resolved hours do not count against the 48.
        assert ticket.resolution_due_at == MONDAY_10 + timedelta(hours=68)

    def test_agreed_on_site_time_is_a_milestone(self):
        agent = UserFactory(role="supervisor")
        ticket = create(MONDAY_10, type="repair")
        visit = MONDAY_10 + timedelta(days=2)
        with time_machine.travel(MONDAY_10, tick=False):
            actions.check_set_appointment(ticket, visit, actor=agent)
        timer = SlaTimer.objects.get(ticket=ticket, metric="on_site")
        assert timer.due_at == visit
        with time_machine.travel(visit - timedelta(minutes=5), tick=False):
            actions.check_record_arrival(ticket, actor=agent)
        timer.refresh_from_db()
        assert timer.met_at == visit - timedelta(minutes=5)

    def test_recording_a_contact_meets_the_first_response(self):
        agent = UserFactory(role="aftersales")
        ticket = create(MONDAY_10, type="complaint")
        with time_machine.travel(MONDAY_10 + timedelta(hours=1), tick=False):
            actions.check_record_contact(ticket, actor=agent, how="phone")
        ticket.refresh_from_db()
        assert ticket.sla_state == "met"
        assert sweep(MONDAY_10 + timedelta(days=3)) == 0  # nothing left to fire


@pytest.mark.django_db
class TestSweeper:
    def test_downtime_catch_up_fires_each_warning_and_breach_exactly_once(self):
        # Given a 1-hour policy and 40 tickets created a minute apart while the sweeper runs,
        policy = SlaPolicyFactory(channel="letter")
        SlaTargetFactory(policy=policy, seconds=3600)
        tickets = [create(MONDAY_10 + timedelta(minutes=i), source="letter") for i in range(40)]
        # and the sweeper already ran once before the first deadline,
        with time_machine.travel(MONDAY_10 + timedelta(minutes=40), tick=False):
            assert sweep_once()["sla"] == 0
        # when the worker is down for three days and the clock passes every deadline,
        # then the first sweep after the restart (in batches of 7) catches up with everything,
        with time_machine.travel(MONDAY_10 + timedelta(days=3), tick=False):
            assert sweep(clock.now(), batch=7) == 80
            # and later sweeps fire nothing again.
            assert sweep_once()["sla"] == 0
        with time_machine.travel(MONDAY_10 + timedelta(days=4), tick=False):
            assert sweep_once()["sla"] == 0
        # Each ticket has exactly one warning and one breach, in deadline order.
        for t in tickets:
            assert verbs(t).count("sla.warning") == 1
            assert verbs(t).count("sla.breached") == 1
            t.refresh_from_db()
            assert t.sla_status(MONDAY_10 + timedelta(days=3)) == "breached"
        assert SlaTimer.objects.filter(ticket__in=tickets, breached_at__isnull=True).count() == 0

    def test_sweeper_fires_only_what_is_due(self):
        ticket = create(MONDAY_10)  # 24 h first response, warning at 80 % = 19.2 h
        assert sweep(MONDAY_10 + timedelta(hours=19)) == 0
        assert sweep(MONDAY_10 + timedelta(hours=20)) == 1
        ticket.refresh_from_db()
        assert ticket.sla_status(MONDAY_10 + timedelta(hours=20)) == "at_risk"
        assert list(selectors.at_risk(MONDAY_10 + timedelta(hours=20))) == [ticket]
        assert list(selectors.at_risk(MONDAY_10 + timedelta(hours=20), "breached")) == []
        assert sweep(MONDAY_10 + timedelta(hours=23)) == 0
        assert sweep(MONDAY_10 + timedelta(hours=24)) == 1
        assert list(selectors.at_risk(MONDAY_10 + timedelta(hours=24), "breached")) == [ticket]
        assert ticket.sla_status(MONDAY_10 + timedelta(hours=24)) == "breached"

    def test_paused_ticket_does_not_breach(self):
        agent = UserFactory(role="supervisor")
        ticket = create(MONDAY_10)
        actions.do_transition_ticket(ticket, "hold", actor=agent, now=MONDAY_10 + timedelta(hours=1))
        assert sweep(MONDAY_10 + timedelta(days=5)) == 0


@pytest.mark.django_db
class TestBreachActions:
    def _breached(self, **policy_kwargs):
        leader = UserFactory(role="supervisor", username="组长")
        team = TeamFactory(leader=leader)
        agent = UserFactory(role="aftersales", username="小李")
        policy = SlaPolicyFactory(**{"notify_on_breach": False, **policy_kwargs})
        SlaTargetFactory(policy=policy, seconds=3600)
        ticket = create(MONDAY_10, team=team, assignee=agent, priority="normal")
        fired = sweep(MONDAY_10 + timedelta(hours=2))
        assert fired == 2  # the warning and the breach
        ticket.refresh_from_db()
        return ticket, agent, leader

    def test_notify_the_assignee_and_the_supervisor(self):
        ticket, agent, leader = self._breached(notify_on_breach=True)
        breach = Notification.objects.filter(kind="sla_breach", ticket=ticket)
        assert {n.user for n in breach} == {agent, leader}
        # and the assignee was warned before.
        assert Notification.objects.filter(kind="sla_warning", user=agent, ticket=ticket).count() == 1

    def test_raise_the_priority(self):
        ticket, _agent, _leader = self._breached(raise_priority_on_breach=True)
        assert ticket.priority == "high"
        assert AuditEvent.objects.filter(object_id=str(ticket.pk), verb="ticket.updated").count() == 1

    def test_reassign_to_a_team(self):
        queue = TeamFactory(name="二线支持")
        ticket, _agent, _leader = self._breached(reassign_team=queue)
        assert ticket.team == queue
        assert ticket.assignee is None
        assert "ticket.assigned" in verbs(ticket)

    def test_escalate_to_the_leader(self):
        ticket, _agent, leader = self._breached(escalate_on_breach=True)
        assert ticket.assignee == leader
        assert "sla.escalated" in verbs(ticket)
        assert Notification.objects.filter(user=leader, ticket=ticket).exists()

    def test_escalate_without_a_team_leader_goes_to_the_policy_leader(self):
        boss = UserFactory(role="supervisor", username="主管")
        policy = SlaPolicyFactory(escalate_on_breach=True, escalate_to=boss, notify_on_breach=False)
        SlaTargetFactory(policy=policy, seconds=60)
        ticket = create(MONDAY_10)
        sweep(MONDAY_10 + timedelta(hours=1))
        ticket.refresh_from_db()
        assert ticket.assignee == boss


def test_due_times_are_utc_aware():
    # The stored columns are aware datetimes; the clock and the columns agree on UTC.
    assert MONDAY_10.astimezone(UTC).hour == 2


@pytest.mark.django_db
def test_an_added_holiday_moves_running_deadlines():
    # Given a 2-business-hour policy on the workdays calendar and a ticket of Monday 17:00 (due Tuesday 10:00),
    policy = SlaPolicyFactory(calendar=_workdays())
    SlaTargetFactory(policy=policy, seconds=2 * 3600, business=True)
    ticket = create(datetime(2025, 3, 3, 17, tzinfo=SH))
    assert ticket.first_response_due_at == datetime(2025, 3, 4, 10, tzinfo=SH)
    # when the administrator closes Tuesday and the calendar is recomputed (the admin enqueues it),
    CalendarDayFactory(date=date(2025, 3, 4))
    from kefu.sla.tasks import recompute_calendar_task

    assert recompute_calendar_task("workdays") == 1
    # then the deadline moves to Wednesday.
    ticket.refresh_from_db()
    assert ticket.first_response_due_at == datetime(2025, 3, 5, 10, tzinfo=SH)


def _workdays():
    from kefu.sla.models import BusinessCalendar

    return BusinessCalendar.objects.get(name="workdays")
