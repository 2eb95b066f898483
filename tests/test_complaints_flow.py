"""Complaints: the API, every transition allowed and forbidden per role, the same-day deadline,
escalation when a deadline passes, the one-click conversion of a conversation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from kefu.accounts.actions import do_create_api_token
from kefu.accounts.choices import Role
from kefu.complaints.actions import check_complaint_from_conversation, do_fire, end_of_day
from kefu.complaints.choices import ComplaintStatus as S
from kefu.complaints.models import Complaint
from kefu.complaints.transitions import EVENT_PERMISSION, TRANSITIONS, complaint_machine
from kefu.core import clock
from kefu.core.errors import Conflict, InvalidTransition, PermissionDenied, ValidationFailed
from kefu.core.events import audit_trail
from kefu.core.models import Notification
from kefu.sla import deadlines
from tests.factories import ConversationFactory, MessageFactory, TeamFactory, UserFactory
from tests.factories_complaints import ComplaintFactory

pytestmark = pytest.mark.django_db

BODY = {
    "customer": {"name": "王先生", "phone": "13800138000"},
    "channel": "phone",
    "summary": "收到的交换机少了一个电源模块，打了三次电话没人管",
    "wants": "补发电源模块并给个说法",
    "severity": "serious",
}


@pytest.fixture
def api(client, roles):
    def call(role: str, method: str, path: str, body: dict | None = None):
        _t, raw = do_create_api_token(roles[role], now=clock.now())
        headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
        if method == "get":
            return client.get(path, **headers)
        return client.post(path, data=body or {}, content_type="application/json", **headers)

    return call


# The fields each event needs, so every edge can be fired through the API.
EVENT_BODY = {
    "contact": {"note": "电话联系王先生，复述：少一个电源模块"},
    "analyse": {"cause": "仓库漏发", "responsibility": "ours"},
    "propose": {"plan": "顺丰补发电源模块，赠送20元优惠券", "compensation": {"kind": "coupon", "amount": "20"}},
    "approve": {"note": "同意"},
    "send_back": {"note": "补偿太少"},
    "answer": {"answer": "我们将今天顺丰补发电源模块，并送您20元优惠券"},
    "customer_agrees": {"note": "客户电话确认"},
    "customer_declines": {"note": "要求退货"},
    "implement": {
        "tasks": [
            {"department": "仓库", "task": "补发电源模块", "owner": "u_aftersales", "due": "2031-01-01T12:00:00+08:00"}
        ]
    },
    "track": {"note": "已回访"},
    "close": {"note": "客户满意"},
    "reopen": {"note": "客户说还是不行"},
}


def _walk_to(complaint: Complaint, state: str, actor_of) -> Complaint:
    """Fire the shortest path of events from registered to ``state``."""
    path = {
        S.REGISTERED: [],
        S.CONTACTED: ["contact"],
        S.ANALYSED: ["contact", "analyse"],
        S.PROPOSED: ["contact", "analyse", "propose"],
        S.APPROVED: ["contact", "analyse", "propose", "approve"],
        S.ANSWERED: ["contact", "analyse", "propose", "approve", "answer"],
        S.AGREED: ["contact", "analyse", "propose", "approve", "answer", "customer_agrees"],
        S.IMPLEMENTING: ["contact", "analyse", "propose", "approve", "answer", "customer_agrees", "implement"],
        S.TRACKING: ["contact", "analyse", "propose", "approve", "answer", "customer_agrees", "implement", "track"],
        S.CLOSED: [
            "contact",
            "analyse",
            "propose",
            "approve",
            "answer",
            "customer_agrees",
            "implement",
            "track",
            "close",
        ],
    }[state]
    for event in path:
        do_fire(complaint, event, actor=actor_of(event), now=clock.now(), data=EVENT_BODY[event])
    return complaint


def test_register_by_api_answers_201_with_the_same_day_deadline(api):
    # Given a reception agent on the phone with an angry customer,
    with time_machine.travel(datetime(2026, 3, 2, 1, 0, tzinfo=UTC)):  # 09:00 in Shanghai
        # when they register the complaint through the API,
        response = api("reception", "post", "/api/v1/complaints", BODY)
    # then it is registered, signed by them, with an answer due by the end of that day in Shanghai.
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "registered"
    assert data["received_by"] == "u_reception"
    assert datetime.fromisoformat(data["deadlines"]["answer_by"]) == datetime(2026, 3, 2, 15, 59, 59, tzinfo=UTC)
    assert "contact_by" in data["deadlines"]
    # and the same shape comes back from GET.
    again = api("finance", "get", f"/api/v1/complaints/{data['id']}")
    assert again.status_code == 200
    assert again.json()["deadlines"]["answer_by"] == data["deadlines"]["answer_by"]


@pytest.mark.parametrize(
    ("received", "answer_by"),
    [
        # 23:00 in Shanghai: one hour left, not the next day.
        (datetime(2026, 3, 2, 15, 0, tzinfo=UTC), datetime(2026, 3, 2, 15, 59, 59, tzinfo=UTC)),
        # 09:00 in Shanghai: the same day, 23:59:59.
        (datetime(2026, 3, 2, 1, 0, tzinfo=UTC), datetime(2026, 3, 2, 15, 59, 59, tzinfo=UTC)),
        # 07:30 UTC on 2 March is 15:30 in Shanghai, still 2 March.
        (datetime(2026, 3, 2, 7, 30, tzinfo=UTC), datetime(2026, 3, 2, 15, 59, 59, tzinfo=UTC)),
        # 16:30 UTC on 2 March is already 00:30 on 3 March in Shanghai.
        (datetime(2026, 3, 2, 16, 30, tzinfo=UTC), datetime(2026, 3, 3, 15, 59, 59, tzinfo=UTC)),
    ],
)
def test_same_day_deadline_is_the_end_of_the_local_day(api, received, answer_by):
    # Given a complaint received at a given moment, when it is registered,
    with time_machine.travel(received):
        data = api("reception", "post", "/api/v1/complaints", BODY).json()
    # then the answer is due by the end of the day it was received, Asia/Shanghai time.
    assert datetime.fromisoformat(data["deadlines"]["answer_by"]) == answer_by
    assert end_of_day(received) == answer_by


def test_bad_bodies_answer_400_and_create_nothing(api):
    # Given malformed registrations, when posted, then 400 and no complaint exists.
    for body in (
        {**BODY, "channel": "pigeon"},
        {**BODY, "severity": "apocalyptic"},
        {**BODY, "summary": "  "},
        {**BODY, "customer": {"name": "无电话"}},
        {"channel": "phone"},
    ):
        response = api("reception", "post", "/api/v1/complaints", body)
        assert response.status_code == 400, body
        assert response.json()["error"] == "invalid"
    assert not Complaint.objects.exists()


def test_every_edge_allowed_for_its_role_and_forbidden_for_others(api, roles):
    # Given the table of the complaint machine and one user per role,
    for (state, event), target in TRANSITIONS.items():
        perm = EVENT_PERMISSION[event]
        allowed = {r for r in Role if roles[r.value].has_perm(perm)}
        # (only supervisors and administrators approve or send back; after-sales handles)
        if event in ("approve", "send_back"):
            assert allowed == {Role.SUPERVISOR, Role.ADMIN}
        else:
            assert allowed == {Role.AFTERSALES, Role.SUPERVISOR, Role.ADMIN}
        for role in Role:
            complaint = ComplaintFactory(received_by=roles["reception"])
            _walk_to(complaint, state, lambda e: roles["supervisor"])
            # when the role fires the event through the API,
            response = api(
                role.value, "post", f"/api/v1/complaints/{complaint.pk}/events", {"event": event, **EVENT_BODY[event]}
            )
            # then it moves along the edge for an allowed role, and 403 changes nothing otherwise.
            complaint.refresh_from_db()
            if role in allowed:
                assert response.status_code == 200, (state, event, role, response.content)
                assert response.json()["status"] == target
            else:
                assert response.status_code == 403, (state, event, role)
                assert complaint.status == state


def test_events_the_state_does_not_allow_answer_409(api, roles):
    # Given a complaint in each state, when an event without an edge from it is fired, then 409.
    for state in complaint_machine.states:
        complaint = ComplaintFactory(received_by=roles["reception"])
        _walk_to(complaint, state, lambda e: roles["supervisor"])
        for event in complaint_machine.events:
            if complaint_machine.can(state, event):
                continue
            response = api(
                "supervisor", "post", f"/api/v1/complaints/{complaint.pk}/events", {"event": event, **EVENT_BODY[event]}
            )
            assert response.status_code == 409, (state, event)
            assert response.json()["error"] == "invalid_transition"
        complaint.refresh_from_db()
        assert complaint.status == state


def test_malformed_events_answer_400(api, roles):
    # Given a contacted complaint,
    complaint = ComplaintFactory(received_by=roles["reception"])
    _walk_to(complaint, S.CONTACTED, lambda e: roles["aftersales"])
    url = f"/api/v1/complaints/{complaint.pk}/events"
    # when events come without what they need, then 400 and nothing changes.
    for body in (
        {"event": "analyse", "responsibility": "the weather"},
        {"event": "analyse", "responsibility": "staff"},  # no staff member named
        {"event": "analyse", "responsibility": "staff", "staff": "nobody-here"},
        {"event": "fly"},
        {"no_event": True},
    ):
        assert api("aftersales", "post", url, body).status_code == 400, body
    complaint.refresh_from_db()
    assert complaint.status == S.CONTACTED


def test_full_procedure_with_sent_back_plan_and_reopen(roles):
    sup, handler = roles["supervisor"], roles["aftersales"]
    complaint = ComplaintFactory(received_by=roles["reception"])
    # Given a complaint contacted and analysed, a proposal the leader sends back goes back to analysis,
    for event in ("contact", "analyse", "propose", "send_back"):
        do_fire(
            complaint, event, actor=sup if event == "send_back" else handler, now=clock.now(), data=EVENT_BODY[event]
        )
    assert complaint.status == S.ANALYSED
    assert complaint.approval_note == "补偿太少"
    # and a customer who declines the answer sends it back to the proposal too,
    for event in ("propose", "approve", "answer", "customer_declines"):
        do_fire(complaint, event, actor=sup if event == "approve" else handler, now=clock.now(), data=EVENT_BODY[event])
    assert complaint.status == S.ANALYSED
    # when it then goes all the way to closed and the customer is dissatisfied again,
    for event in ("propose", "approve", "answer", "customer_agrees", "implement", "track", "close", "reopen"):
        do_fire(complaint, event, actor=sup if event == "approve" else handler, now=clock.now(), data=EVENT_BODY[event])
    # then it is reopened, with a fresh same-day answer deadline, and each step is audited.
    assert complaint.status == S.CONTACTED
    assert complaint.reopened_count == 1
    assert "answer_by" in deadlines.running(complaint)
    verbs = [e.verb for e in audit_trail(complaint)]
    assert verbs.count("complaint.propose") == 3
    assert "complaint.reopen" in verbs


def test_approval_offers_the_compensation_of_the_plan(roles):
    # Given a plan with a 20-yuan coupon,
    complaint = ComplaintFactory(received_by=roles["reception"])
    _walk_to(complaint, S.APPROVED, lambda e: roles["supervisor"])
    # when the supervisor approved it, then the compensation is recorded with the complaint.
    assert complaint.compensation["kind"] == "coupon"
    assert complaint.compensation["amount"] == "20"
    assert complaint.compensation.get("status")


def test_a_passed_contact_deadline_escalates_to_the_team_leader_then_a_supervisor(roles):
    # Given a team whose leader is a supervisor-level colleague, and a complaint registered at 09:00,
    leader = UserFactory(username="leader1", role=Role.SUPERVISOR)
    team = TeamFactory(leader=leader)
    start = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        complaint = ComplaintFactory(received_by=roles["reception"], handler=roles["aftersales"], team=team)
        from kefu.complaints.actions import _arm

        _arm(complaint, "contact_by", start + timedelta(minutes=30), now=start, text="contact", status="registered")
    # when nobody contacts the customer within 30 minutes and the sweeper runs,
    deadlines.sweep(start + timedelta(minutes=31))
    # then the complaint's level rises and the team leader is assigned and notified, audited.
    complaint.refresh_from_db()
    assert complaint.level == 1
    assert complaint.handler == leader
    assert Notification.objects.filter(user=leader, text__contains=f"#{complaint.pk}").exists()
    escalated = [e for e in audit_trail(complaint) if e.verb == "complaint.escalated"]
    assert len(escalated) == 1
    assert escalated[0].data["to_level"] == 1
    # and a second sweep does nothing more (fired once).
    deadlines.sweep(start + timedelta(minutes=40))
    complaint.refresh_from_db()
    assert complaint.level == 1


def test_the_same_day_answer_deadline_passing_escalates_and_a_met_one_does_not(api, roles):
    # Given two complaints received at 23:00 Shanghai time,
    at = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
    with time_machine.travel(at, tick=False):
        late = api("reception", "post", "/api/v1/complaints", BODY).json()
        met = api("reception", "post", "/api/v1/complaints", BODY).json()
    # and one is contacted and answered before midnight,
    complaint = Complaint.objects.get(pk=met["id"])
    with time_machine.travel(at + timedelta(minutes=10), tick=False):
        _walk_to(complaint, S.ANSWERED, lambda e: roles["supervisor"])
    # when the sweeper runs just after midnight in Shanghai,
    deadlines.sweep(datetime(2026, 3, 2, 16, 0, 1, tzinfo=UTC))
    # then the unanswered one has risen (twice: no contact, no answer) and the answered one not at all.
    late_row = Complaint.objects.get(pk=late["id"])
    assert late_row.level == 2
    reasons = [e.data["reason"] for e in audit_trail(late_row) if e.verb == "complaint.escalated"]
    assert len(reasons) == 2
    complaint.refresh_from_db()
    assert complaint.level == 0


def test_an_overdue_implementation_task_escalates(roles):
    complaint = ComplaintFactory(received_by=roles["reception"], handler=roles["aftersales"])
    _walk_to(complaint, S.AGREED, lambda e: roles["supervisor"])
    due = clock.now() + timedelta(hours=2)
    # Given a task due in two hours, when it passes without being done,
    do_fire(
        complaint,
        "implement",
        actor=roles["aftersales"],
        now=clock.now(),
        data={"tasks": [{"department": "仓库", "task": "补发", "owner": "u_aftersales", "due": due}]},
    )
    deadlines.sweep(due + timedelta(seconds=1))
    # then the handler's level rises.
    complaint.refresh_from_db()
    assert complaint.level >= 1


def test_a_conversation_becomes_a_complaint_in_one_click_keeping_its_history(roles):
    # Given a chat where the customer threatens 12315,
    conversation = ConversationFactory()
    MessageFactory(conversation=conversation, text="你们再不处理我就打12315投诉！")
    # when the agent turns it into a complaint,
    complaint = check_complaint_from_conversation(conversation, actor=roles["reception"])
    # then the complaint is linked to the chat, with the customer's words as what happened.
    assert complaint.conversation == conversation
    assert complaint.customer == conversation.customer
    assert "12315" in complaint.summary
    assert complaint.channel == "chat"
    # and a second click does not make a second complaint.
    with pytest.raises(Conflict):
        check_complaint_from_conversation(conversation, actor=roles["reception"])


def test_customer_accepts_on_the_public_link(client, roles):
    complaint = ComplaintFactory(received_by=roles["reception"])
    _walk_to(complaint, S.ANSWERED, lambda e: roles["supervisor"])
    complaint.refresh_from_db()
    url = f"/c/{complaint.accept_token}/"
    # Given the link sent to the customer, when they open it, then they see the answer,
    page = client.get(url)
    assert page.status_code == 200
    assert "顺丰补发" in page.content.decode()
    # when they accept, then the agreement is recorded as accepted on the link.
    client.post(url, {"choice": "accept"})
    complaint.refresh_from_db()
    assert complaint.status == S.AGREED
    assert complaint.agreement == "link"
    # and a wrong token finds nothing.
    assert client.get("/c/not-a-token/").status_code == 404


def test_customer_declines_on_the_public_link(client, roles):
    complaint = ComplaintFactory(received_by=roles["reception"])
    _walk_to(complaint, S.ANSWERED, lambda e: roles["supervisor"])
    complaint.refresh_from_db()
    client.post(f"/c/{complaint.accept_token}/", {"choice": "decline", "reason": "我要退货"})
    complaint.refresh_from_db()
    assert complaint.status == S.ANALYSED
    assert complaint.decline_reason == "我要退货"


def test_field_errors_raise_before_any_change(roles):
    complaint = ComplaintFactory(received_by=roles["reception"])
    with pytest.raises(InvalidTransition):
        do_fire(complaint, "approve", actor=roles["supervisor"], now=clock.now())
    _walk_to(complaint, S.ANALYSED, lambda e: roles["aftersales"])
    with pytest.raises(ValidationFailed):
        do_fire(complaint, "propose", actor=roles["aftersales"], now=clock.now(), data={"plan": ""})
    with pytest.raises(ValidationFailed):
        do_fire(
            complaint,
            "propose",
            actor=roles["aftersales"],
            now=clock.now(),
            data={"plan": "补发", "compensation": {"kind": "gold", "amount": "1"}},
        )
    complaint.refresh_from_db()
    assert complaint.status == S.ANALYSED
    from kefu.complaints.actions import check_fire

    with pytest.raises(PermissionDenied):
        check_fire(complaint, "propose", actor=roles["reception"], data={"plan": "x"})
