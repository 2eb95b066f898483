"""Phone hotline: signed telephony events, idempotency, customer match, tickets, callbacks,
and the hand-logged contact form."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from kefu.intake.models import CallbackTask, CallRecord, WebhookReceipt
from kefu.intake.webhooks import sign
from kefu.tickets.models import Ticket
from tests.factories import ChannelFactory, CustomerFactory, IdentityFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/calls/events"
SECRET = "s3cret-for-the-pbx"


@pytest.fixture
def hotline():
    return ChannelFactory(kind="phone", key="hotline", name="400 热线", secret=SECRET)


def post(client: Client, body: dict | bytes, *, key: str = "k1", secret: str = SECRET, channel: str = "hotline"):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post(
        URL,
        data=raw,
        content_type="application/json",
        headers={"X-Kefu-Channel": channel, "X-Kefu-Signature": sign(secret, raw), "Idempotency-Key": key},
    )


def test_ringing_matches_the_customer_by_number(client, hotline):
    # given: a customer known by phone
    customer = CustomerFactory(name="赵敏")
    IdentityFactory(customer=customer, kind="phone", value="13800138000")
    # when: the PBX says it rings, with the number written another way
    response = post(client, {"event": "ringing", "call_id": "c-1", "number": "+86 138-0013-8000"})
    # then: a call record with the customer, and the pop-up link for the agent
    assert response.status_code == 200
    data = response.json()
    assert (data["customer"], data["customer_name"], data["outcome"]) == (customer.pk, "赵敏", "ringing")
    assert data["url"] == f"/calls/{data['call']}/"


def test_answered_call_creates_a_ticket_then_joins_it(client, hotline):
    agent = UserFactory(role="reception", username="li")
    post(client, {"event": "ringing", "call_id": "c-2", "number": "13900001111"}, key="a")
    post(client, {"event": "answered", "call_id": "c-2", "agent": "li"}, key="b")
    ended = post(client, {"event": "ended", "call_id": "c-2", "notes": "客户询问保修期"}, key="c").json()
    call = CallRecord.objects.get(pk=ended["call"])
    assert (call.outcome, call.agent, call.notes) == ("answered", agent, "客户询问保修期")
    ticket = Ticket.objects.get(pk=call.ticket_id)
    assert (ticket.source, ticket.customer_id) == ("phone", call.customer_id)
    # when: the same customer calls again while the ticket is open
    post(client, {"event": "answered", "call_id": "c-3", "number": "13900001111"}, key="d")
    # then: the call joins the same ticket
    assert CallRecord.objects.get(external_id="c-3").ticket_id == ticket.pk
    assert Ticket.objects.count() == 1


def test_missed_call_leaves_a_callback_task(client, hotline):
    post(client, {"event": "ringing", "call_id": "m-1", "number": "13700000000"}, key="r")
    data = post(client, {"event": "ended", "call_id": "m-1"}, key="e").json()
    assert data["outcome"] == "missed"
    task = CallbackTask.objects.get(call_id=data["call"])
    assert task.status == "open"
    assert Ticket.objects.count() == 0


def test_same_idempotency_key_is_applied_once(client, hotline):
    first = post(client, {"event": "ringing", "call_id": "i-1", "number": "13600000000"}, key="same")
    again = post(client, {"event": "ringing", "call_id": "i-1", "number": "13600000000"}, key="same")
    assert first.json()["duplicate"] is False
    assert again.json()["duplicate"] is True
    assert again.json()["call"] == first.json()["call"]
    assert WebhookReceipt.objects.count() == 1
    assert CallRecord.objects.count() == 1


@pytest.mark.parametrize(
    "how", ["wrong secret", "no signature", "unknown channel", "tampered body", "not a phone channel"]
)
def test_bad_signatures_are_refused_before_anything_is_read(client, hotline, how):
    ChannelFactory(kind="email", key="mail", secret=SECRET)
    body = json.dumps({"event": "ringing", "call_id": "x", "number": "13500000000"}).encode()
    headers = {"X-Kefu-Channel": "hotline", "X-Kefu-Signature": sign(SECRET, body), "Idempotency-Key": "k"}
    if how == "wrong secret":
        headers["X-Kefu-Signature"] = sign("other", body)
    elif how == "no signature":
        del headers["X-Kefu-Signature"]
    elif how == "unknown channel":
        headers["X-Kefu-Channel"] = "nope"
    elif how == "tampered body":
        body = body.replace(b"13500000000", b"13500000001")
    else:
        headers["X-Kefu-Channel"] = "mail"
    response = client.post(URL, data=body, content_type="application/json", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"
    assert CallRecord.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"not json", "not valid JSON"),
        ({"event": "exploded", "call_id": "x"}, "event must be"),
        ({"event": "ringing"}, "call_id"),
    ],
)
def test_bad_events_get_a_clear_400(client, hotline, body, message, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # requests default to zh-hans
    response = post(client, body)
    assert response.status_code == 400
    assert message in response.json()["message"]
    assert WebhookReceipt.objects.count() == 0  # a corrected retry with the same key still works


def test_missing_idempotency_key_is_refused(client, hotline):
    raw = json.dumps({"event": "ringing", "call_id": "x"}).encode()
    response = client.post(
        URL,
        data=raw,
        content_type="application/json",
        headers={"X-Kefu-Channel": "hotline", "X-Kefu-Signature": sign(SECRET, raw)},
    )
    assert response.status_code == 400


def test_agent_logs_a_face_to_face_visit(client):
    agent = UserFactory(role="aftersales")
    customer = CustomerFactory(name="钱工")
    client.force_login(agent)
    page = client.get(f"/calls/new/?customer={customer.pk}")
    assert page.status_code == 200
    response = client.post(
        "/calls/new/",
        {
            "medium": "face_to_face",
            "direction": "in",
            "number": "",
            "customer": customer.pk,
            "started_at": "2026-03-02T10:00",
            "minutes": "30",
            "outcome": "answered",
            "notes": "到店咨询安装事宜",
        },
    )
    call = CallRecord.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/calls/{call.pk}/"
    assert (call.medium, call.customer, call.agent, call.notes) == ("face_to_face", customer, agent, "到店咨询安装事宜")
    assert call.ticket.source == "face_to_face"
    assert client.get(f"/calls/{call.pk}/").status_code == 200


def test_logged_missed_call_without_permission_is_refused(client):
    client.force_login(UserFactory(role="finance"))
    assert client.get("/calls/new/").status_code == 404


def test_call_page_takes_notes_and_callbacks_can_be_finished(client, hotline):
    data = post(client, {"event": "ended", "call_id": "n-1", "number": "13300000000"}).json()
    client.force_login(UserFactory(role="reception"))
    client.post(f"/calls/{data['call']}/", {"text": "已回电，客户不在"})
    assert "已回电" in CallRecord.objects.get(pk=data["call"]).notes
    task = CallbackTask.objects.get()
    assert client.get("/calls/").status_code == 200
    client.post(f"/calls/callbacks/{task.pk}/done/")
    task.refresh_from_db()
    assert task.status == "done"


def test_calls_show_on_the_ticket_timeline(client, hotline):
    UserFactory(role="reception", username="li")
    post(client, {"event": "answered", "call_id": "c-9", "number": "13900002222", "agent": "li"}, key="t1")
    post(client, {"event": "ended", "call_id": "c-9", "notes": "客户要求上门检修"}, key="t2")
    ticket = Ticket.objects.get()
    client.force_login(UserFactory(role="reception", username="viewer"))
    page = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert 'class="tl-call' in page
    assert "13900002222" in page
    assert "客户要求上门检修" in page
