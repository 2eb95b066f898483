import json

import pytest

from kefu.accounts.actions import do_create_api_token
from kefu.core import clock
from tests.factories import ConversationFactory, CustomerFactory, TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bearer(roles):
    def make(role: str) -> dict[str, str]:
        _token, raw = do_create_api_token(roles[role], now=clock.now())
        return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    return make


def test_token_auth_and_me(client, bearer):
    # Given a token, when the API is called with it, then it answers as that user.
    response = client.get("/api/v1/me", **bearer("reception"))
    assert response.status_code == 200
    assert response.json()["roles"] == ["reception"]
    # without or with a wrong token it answers 401.
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer kefu_wrong").status_code == 401


def test_revoked_token_is_refused(client, roles):
    from kefu.accounts.actions import check_revoke_api_token

    token, raw = do_create_api_token(roles["sales"], now=clock.now())
    check_revoke_api_token(token, actor=roles["admin"])
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_ticket_lifecycle_with_403_409_and_400(client, bearer):
    customer = CustomerFactory()
    headers = bearer("reception")
    # Given a reception agent, when they create a ticket, then 201;
    created = client.post(
        "/api/v1/tickets",
        {"customer": customer.pk, "subject": "光模块不识别", "type": "repair"},
        content_type="application/json",
        **headers,
    )
    assert created.status_code == 201, created.content
    ticket_id = created.json()["id"]
    # a transition the table allows answers with the ticket;
    opened = client.post(
        f"/api/v1/tickets/{ticket_id}/events", {"event": "open"}, content_type="application/json", **headers
    )
    assert opened.json()["status"] == "open"
    # one the state does not allow answers 409 with the allowed events;
    bad = client.post(
        f"/api/v1/tickets/{ticket_id}/events", {"event": "close"}, content_type="application/json", **headers
    )
    assert bad.status_code == 409
    assert bad.json()["error"] == "invalid_transition"
    assert "resolve" in bad.json()["allowed"]
    # one the role may not fire answers 403;
    cancel = client.post(
        f"/api/v1/tickets/{ticket_id}/events", {"event": "cancel"}, content_type="application/json", **headers
    )
    assert cancel.status_code == 403
    # a broken body answers 400 and changes nothing.
    broken = client.post(f"/api/v1/tickets/{ticket_id}/events", "{not json", content_type="application/json", **headers)
    assert broken.status_code == 400
    detail = client.get(f"/api/v1/tickets/{ticket_id}", **headers).json()
    assert detail["status"] == "open"
    assert [row["event"] for row in detail["audit"]] == ["ticket.created", "ticket.open"]


def test_finance_cannot_reply_to_customers_but_can_leave_notes(client, bearer):
    conversation = ConversationFactory()
    headers = bearer("finance")
    reply = client.post(
        f"/api/v1/conversations/{conversation.pk}/messages",
        {"text": "已退款"},
        content_type="application/json",
        **headers,
    )
    assert reply.status_code == 403
    note = client.post(
        f"/api/v1/conversations/{conversation.pk}/messages",
        {"text": "绿色通道已处理", "internal": True},
        content_type="application/json",
        **headers,
    )
    assert note.status_code == 201


def test_message_resend_and_catch_up(client, bearer):
    conversation = ConversationFactory()
    headers = bearer("reception")
    body = {"text": "您好，很高兴为您服务", "client_id": "tab1-0001"}
    first = client.post(
        f"/api/v1/conversations/{conversation.pk}/messages", body, content_type="application/json", **headers
    )
    again = client.post(
        f"/api/v1/conversations/{conversation.pk}/messages", body, content_type="application/json", **headers
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    events = client.get(f"/api/v1/conversations/{conversation.pk}/events?after=0", **headers).json()
    assert [(e["id"], e["type"], e["op"]) for e in events] == [(1, "message", "created")]
    assert client.get(f"/api/v1/conversations/{conversation.pk}/events?after=1", **headers).json() == []


def test_openapi_schema_is_served(client, bearer):
    schema = client.get("/api/v1/openapi.json", **bearer("admin"))
    assert schema.status_code == 200
    assert "/api/v1/tickets" in json.loads(schema.content)["paths"]


def test_session_api_requires_csrf(roles):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(roles["reception"])
    assert csrf_client.get("/api/v1/me").status_code == 200
    ticket = TicketFactory()
    response = csrf_client.post(f"/api/v1/tickets/{ticket.pk}/remarks", {"text": "x"}, content_type="application/json")
    assert response.status_code in (401, 403)


@pytest.mark.parametrize("path", ["/api/v1/tickets", "/api/v1/assist/lint", "/api/v1/orders", "/api/v1/complaints"])
def test_a_body_that_is_not_json_gets_the_house_error_shape(client, bearer, path):
    # Given an agent's token, when a POST carries broken JSON,
    response = client.post(path, "{not json", content_type="application/json", **bearer("admin"))
    # then it is a 400 with {"error", "message"} like every other refusal, and nothing was created.
    assert response.status_code == 400
    assert response.json()["error"] == "invalid"
    assert response.json()["message"]
