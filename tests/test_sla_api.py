"""POST /api/v1/sla/preview and the SLA pages of the workspace."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from kefu.accounts.actions import do_create_api_token
from kefu.core import clock
from kefu.sla.sweep import sweep
from kefu.tickets import actions
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def bearer(roles):
    def make(role: str) -> dict[str, str]:
        _token, raw = do_create_api_token(roles[role], now=clock.now())
        return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    return make


def post(client, headers, body):
    return client.post("/api/v1/sla/preview", body, content_type="application/json", **headers)


def test_preview_business_time_across_national_day(client, bearer):
    # Given 2 business hours from Tuesday 30 September 2025 17:00 on the workdays calendar,
    body = {"calendar": "workdays", "start": "2025-09-30T17:00:00+08:00", "minutes": 120, "business": True}
    # when a supervisor previews it,
    response = post(client, bearer("supervisor"), body)
    # then it is due Thursday 9 October 10:00 Beijing time (1–8 October are holidays).
    assert response.status_code == 200
    assert response.json() == {"due_at": "2025-10-09T10:00:00+08:00"}


def test_preview_with_pauses_and_calendar_time(client, bearer):
    headers = bearer("admin")
    body = {
        "calendar": "24x7",
        "start": "2025-03-03T10:00:00+08:00",
        "minutes": 240,
        "business": False,
        "pauses": [["2025-03-03T11:00:00+08:00", "2025-03-03T12:30:00+08:00"]],
    }
    assert post(client, headers, body).json() == {"due_at": "2025-03-03T15:30:00+08:00"}
    # A pause still running (no end) leaves the due time unknown.
    body["pauses"] = [["2025-03-03T11:00:00+08:00", None]]
    assert post(client, headers, body).json() == {"due_at": None}
    # UTC input is accepted and answered in the calendar's zone.
    body = {"calendar": "workdays", "start": "2025-03-03T03:30:00Z", "minutes": 60}
    assert post(client, headers, body).json() == {"due_at": "2025-03-03T13:30:00+08:00"}


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ({"calendar": "nope", "start": "2025-03-03T10:00:00+08:00", "minutes": 5}, 404, "not_found"),
        ({"calendar": "workdays", "start": "2025-03-03T10:00:00", "minutes": 5}, 400, "invalid"),
        ({"calendar": "workdays", "start": "yesterday", "minutes": 5}, 400, "invalid"),
        ({"calendar": "workdays", "start": "2025-03-03T10:00:00+08:00", "minutes": -1}, 400, "invalid"),
        (
            {
                "calendar": "workdays",
                "start": "2025-03-03T10:00:00+08:00",
                "minutes": 5,
                "pauses": [["2025-03-03T12:00:00+08:00", "2025-03-03T11:00:00+08:00"]],
            },
            400,
            "invalid",
        ),
        ({"calendar": "workdays", "minutes": 5}, 400, "invalid"),
    ],
)
def test_preview_refuses_bad_input_clearly(client, bearer, body, status, error):
    response = post(client, bearer("supervisor"), body)
    assert response.status_code == status
    assert response.json()["error"] == error
    assert response.json()["message"]


def test_preview_needs_the_permission(client, bearer):
    body = {"calendar": "workdays", "start": "2025-03-03T10:00:00+08:00", "minutes": 5}
    assert post(client, bearer("reception"), body).status_code == 403
    assert client.post("/api/v1/sla/preview", body, content_type="application/json").status_code == 401


def test_simulator_page(client, roles):
    client.force_login(roles["supervisor"])
    response = client.get(
        "/sla/",
        {"calendar": "workdays", "start": "2025-03-03T11:30", "minutes": "60", "business": "on", "pauses": ""},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "2025-03-03 13:30:00" in body
    assert "投诉当天联系" in body  # the shipped policies are listed
    bad = client.get("/sla/", {"calendar": "workdays", "start": "2025-03-03T11:30", "minutes": "x"})
    assert 'role="alert"' in bad.content.decode()


def test_a_page_refusal_is_a_403_page_not_a_server_error(client, roles):
    # Given a signed-in account that has lost every role,
    user = roles["reception"]
    user.groups.clear()
    client.force_login(user)
    # when it opens the ticket list (a view that calls require() itself),
    response = client.get("/tickets/")
    # then the workspace answers 403 with the reason, not a server error.
    assert response.status_code == 403
    assert "权限" in response.content.decode()


def test_at_risk_page_lists_breached_tickets(client, roles):
    ticket = actions.do_create_ticket(CustomerFactory(), subject="发票未开", now=datetime(2025, 3, 3, 10, tzinfo=SH))
    sweep(datetime(2025, 3, 3, 10, tzinfo=SH) + timedelta(days=2))
    client.force_login(roles["supervisor"])
    body = client.get("/sla/at-risk/").content.decode()
    assert "发票未开" in body
    assert "overdue" in body or "超时" in body
    assert f"/tickets/{ticket.pk}/" in body


def test_ticket_api_shows_the_deadlines(client, bearer):
    # Given a ticket created through the API, its answer carries the SLA deadlines at once.
    customer = CustomerFactory()
    with time_machine.travel(datetime(2025, 3, 3, 10, tzinfo=SH), tick=False):
        body = client.post(
            "/api/v1/tickets",
            {"customer": customer.pk, "subject": "投诉：送货员态度差", "type": "complaint"},
            content_type="application/json",
            **bearer("reception"),
        ).json()
    assert body["sla"]["first_response_due_at"] == "2025-03-03T10:00:00+00:00"
    assert body["sla"]["state"] == "ok"
