"""The issue's API names: POST /api/v1/aftersales/cases → 201, GET …/{id} with status, kind and
deadlines, POST …/{id}/events answering 403 / 409 / 400; compensations."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from kefu.accounts.actions import do_create_api_token
from kefu.cases.models import Case
from kefu.core import clock
from tests.factories import ConversationFactory
from tests.factories_cases import CaseOrderFactory

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 5, 4, 2, 0, tzinfo=UTC)


@pytest.fixture
def call(client, roles):
    def make(method: str, path: str, role: str, body=None):
        _token, raw = do_create_api_token(roles[role], now=clock.now())
        headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
        if method == "get":
            return client.get(path, **headers)
        return client.post(path, body, content_type="application/json", **headers)

    return make


@pytest.fixture
def order():
    o = CaseOrderFactory()
    ConversationFactory(customer=o.customer)
    return o


def test_case_lifecycle_over_the_api(call, order):
    with time_machine.travel(T0, tick=False):
        # Given an order, when a reception agent opens a return-and-refund case, then 201,
        created = call(
            "post",
            "/api/v1/aftersales/cases",
            "reception",
            {
                "order": order.pk,
                "kind": "return_refund",
                "reason": "wrong_item",
                "amount": "88.50",
                "description": "发错颜色",
            },
        )
        assert created.status_code == 201, created.content
        body = created.json()
        assert (body["status"], body["kind"], body["amount"]) == ("requested", "return_refund", "88.50")
        # and the case shows its running deadline as an ISO time (T0 + 5 days).
        got = call("get", f"/api/v1/aftersales/cases/{body['id']}", "technician").json()
        assert got["deadlines"] == {"seller_respond_by": "2026-05-09T02:00:00+00:00"}
        events = f"/api/v1/aftersales/cases/{body['id']}/events"
        # 403: a reception agent may not agree; 409: nothing to pay yet; 400: no such event / no reason.
        assert call("post", events, "reception", {"event": "agree"}).status_code == 403
        assert call("post", events, "finance", {"event": "pay"}).status_code == 409
        assert call("post", events, "aftersales", {"event": "fly"}).status_code == 400
        assert call("post", events, "aftersales", {"event": "refuse"}).status_code == 400
        assert call("post", events, "aftersales", {"nothing": 1}).status_code == 400
        assert Case.objects.get(pk=body["id"]).status == "requested"
        # The whole flow: agree, buyer_shipped, confirm_receipt, request_payment, pay.
        agreed = call("post", events, "aftersales", {"event": "agree"}).json()
        assert agreed["status"] == "agreed"
        assert agreed["deadlines"] == {"buyer_ship_by": "2026-05-11T02:00:00+00:00"}
        assert agreed["return"]["postage_payer"] == "shop"
        bad = call("post", events, "reception", {"event": "buyer_shipped", "carrier_kind": "boat", "tracking_no": "1"})
        assert bad.status_code == 400
        assert bad.json()["field"] == "carrier_kind"
        shipped = call(
            "post", events, "reception", {"event": "buyer_shipped", "carrier_kind": "post", "tracking_no": "EMS1"}
        )
        assert shipped.status_code == 200, shipped.content
        assert shipped.json()["deadlines"] == {"seller_confirm_by": "2026-06-03T02:00:00+00:00"}
        assert call("post", events, "aftersales", {"event": "confirm_receipt"}).json()["status"] == "to_refund"
        requested = call(
            "post", events, "reception", {"event": "request_payment", "remark": "绿色通道", "green_channel": True}
        )
        assert requested.json()["payment"]["green_channel"] is True
        assert call("post", events, "aftersales", {"event": "pay"}).status_code == 403
        paid = call("post", events, "finance", {"event": "pay"}).json()
        assert paid["status"] == "refunded"
        assert paid["deadlines"] == {}


def test_create_errors(call, order):
    too_much = call(
        "post",
        "/api/v1/aftersales/cases",
        "reception",
        {"order": order.pk, "kind": "refund_only", "reason": "other", "amount": "301"},
    )
    assert too_much.status_code == 400
    assert "实付金额" in too_much.json()["message"]  # zh-Hans, the default language
    assert call("post", "/api/v1/aftersales/cases", "reception", {"kind": "refund_only"}).status_code == 400
    assert (
        call(
            "post",
            "/api/v1/aftersales/cases",
            "finance",
            {"order": order.pk, "kind": "refund_only", "reason": "other", "amount": "1"},
        ).status_code
        == 403
    )
    cancelled = CaseOrderFactory(status="cancelled")
    resp = call(
        "post",
        "/api/v1/aftersales/cases",
        "reception",
        {"order": cancelled.pk, "kind": "refund_only", "reason": "other", "amount": "1"},
    )
    assert resp.status_code == 400
    assert not Case.objects.exists()


def test_compensation_over_the_api(call, order):
    resp = call(
        "post",
        "/api/v1/aftersales/compensations",
        "reception",
        {"customer": order.customer_id, "order": order.pk, "kind": "money", "amount": "66", "reason": "damaged"},
    )
    assert resp.status_code == 201
    assert resp.json()["status"] == "pending_approval"
    comp = resp.json()["id"]
    assert (
        call("post", f"/api/v1/aftersales/compensations/{comp}/decision", "aftersales", {"approve": True}).status_code
        == 403
    )
    decided = call("post", f"/api/v1/aftersales/compensations/{comp}/decision", "supervisor", {"approve": True})
    assert decided.json()["status"] == "approved"
    assert (
        call("post", f"/api/v1/aftersales/compensations/{comp}/decision", "supervisor", {"approve": True}).status_code
        == 409
    )
