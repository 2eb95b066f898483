"""The orders API of issue 8: create and read orders, idempotence, bad input, tracking events
from the courier, shipping quotes."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from kefu.accounts.actions import do_create_api_token
from kefu.aftersales.models import Order, Shipment, TrackingEvent
from kefu.core import clock
from kefu.customers.models import Customer
from tests.factories import ProductFactory, ShopFactory
from tests.factories_orders import ShipmentFactory, ensure_orders_defaults, order_body

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _defaults(db):
    ensure_orders_defaults()


@pytest.fixture
def bearer(roles):
    def make(role: str) -> dict[str, str]:
        _token, raw = do_create_api_token(roles[role], now=clock.now())
        return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    return make


@pytest.fixture(autouse=True)
def _english(client, settings):
    # Error messages are matched in English (the msgids); requests default to zh-Hans.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def product():
    return ProductFactory(shop=ShopFactory(code="tmall", name="天猫旗舰店"), sku="SFP-1G", weight_grams=300)


def post(client, url, body, headers):
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(url, data=data, content_type="application/json", **headers)


def test_shops_list(client, bearer, product):
    # Given a shop, when an integration lists shops, then it gets id, code and name.
    rows = client.get("/api/v1/shops", **bearer("reception")).json()
    assert {"id": product.shop.pk, "code": "tmall", "name": "天猫旗舰店"} in rows


def test_create_order_201_then_get_it(client, bearer, product):
    # Given the body, when it is posted,
    response = post(client, "/api/v1/orders", order_body("tmall", "SFP-1G"), bearer("reception"))
    # then the order exists with its id, lines, amounts, the customer found by phone, an estimate.
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["id"]
    assert data["status"] == "paid"
    assert data["payment"] == "online"
    assert data["total_amount"] == "119.80"
    assert data["paid_amount"] == "119.80"
    assert data["lines"] == [
        {"sku": "SFP-1G", "name": "千兆光模块", "quantity": 2, "unit_price": "59.90", "amount": "119.80"}
    ]
    assert data["address"]["province"] == "浙江省"
    assert data["estimated_ship_at"]
    assert data["estimate"]["ship_by"]
    customer = Customer.objects.get(pk=data["customer"]["id"])
    assert customer.name == "李四"
    assert customer.identities.get().value == "13900139000"
    got = client.get(f"/api/v1/orders/{data['id']}", **bearer("finance"))
    assert got.status_code == 200
    assert got.json()["number"] == "TB-API-1"


def test_the_same_platform_order_twice_is_409_and_changes_nothing(client, bearer, product):
    # Given an order already posted,
    first = post(client, "/api/v1/orders", order_body("tmall", "SFP-1G"), bearer("reception")).json()
    # when the integration posts it again (a retry),
    again = post(client, "/api/v1/orders", order_body("tmall", "SFP-1G"), bearer("reception"))
    # then it answers 409 naming the first order, and there is still one order.
    assert again.status_code == 409
    assert again.json()["error"] == "conflict"
    assert again.json()["order"] == first["id"]
    assert Order.objects.count() == 1


def test_an_existing_customer_is_found_by_phone(client, bearer, product):
    post(client, "/api/v1/orders", order_body("tmall", "SFP-1G"), bearer("reception"))
    second = post(
        client,
        "/api/v1/orders",
        order_body(
            "tmall", "SFP-1G", platform_order_no="TB-API-2", customer={"name": "李四", "phone": "+86 139-0013-9000"}
        ),
        bearer("reception"),
    )
    assert second.status_code == 201
    assert Customer.objects.count() == 1


def test_cod_order_waits_for_confirmation_and_synced_states_keep_their_times(client, bearer, product):
    # Given a COD order and a marketplace order that already shipped and arrived,
    cod = post(client, "/api/v1/orders", order_body("tmall", "SFP-1G", payment="cod"), bearer("reception")).json()
    synced = post(
        client,
        "/api/v1/orders",
        order_body(
            "tmall",
            "SFP-1G",
            platform_order_no="TB-API-9",
            status="delivered",
            shipped_at="2026-11-01T10:00:00+08:00",
            delivered_at="2026-11-04T15:30:00+08:00",
        ),
        bearer("reception"),
    ).json()
    # then the COD order waits in the confirmation queue, the synced one keeps its state and times.
    assert cod["status"] == "pending_confirmation"
    assert cod["paid_amount"] == "0.00"
    assert synced["status"] == "delivered"
    assert synced["delivered_at"].startswith("2026-11-04T07:30:00")
    assert synced["estimate"]["shipped"] is True


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"shop": "nope"}, "Unknown shop"),
        ({"lines": [{"sku": "NOPE", "name": "x", "quantity": 1, "unit_price": "1"}]}, "no product with SKU"),
        ({"lines": [{"sku": "SFP-1G", "name": "x", "quantity": 1, "unit_price": "-1"}]}, "cannot be negative"),
        ({"lines": [{"sku": "SFP-1G", "name": "x", "quantity": 1, "unit_price": "12,3a"}]}, "not an amount"),
        ({"lines": [{"sku": "SFP-1G", "name": "x", "quantity": 1, "unit_price": "1.001"}]}, "at most 2 decimals"),
        ({"lines": [{"sku": "SFP-1G", "name": "x", "quantity": 0, "unit_price": "1"}]}, "at least 1"),
        ({"lines": []}, "at least one line"),
        ({"payment": "credit"}, "online"),
        ({"status": "teleported"}, "Unknown status"),
        ({"customer": {"name": "x", "phone": "abc"}}, "not a phone number"),
        ({"address": {"name": "x"}}, "address.phone is required"),
        ({"shipped_at": "yesterday"}, "not an ISO-8601 time"),
        ({"shipped_at": "2026-11-01T10:00:00"}, "time zone"),
    ],
)
def test_bad_input_is_400_and_creates_nothing(client, bearer, product, change, fragment):
    # Given a body with one mistake, when it is posted,
    response = post(client, "/api/v1/orders", order_body("tmall", "SFP-1G", **change), bearer("reception"))
    # then it answers 400 naming the mistake, and nothing was created.
    assert response.status_code == 400, response.content
    assert fragment in response.json()["message"]
    assert Order.objects.count() == 0
    assert Customer.objects.count() == 0


def test_broken_json_is_400(client, bearer, product):
    response = post(client, "/api/v1/orders", '{"shop": "tmall", ', bearer("reception"))
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["message"]
    assert post(client, "/api/v1/orders", "[1, 2]", bearer("reception")).status_code == 400
    assert Order.objects.count() == 0


def test_a_role_without_the_permission_is_403(client, bearer, product):
    # Given finance (who may read orders but not create them),
    response = post(client, "/api/v1/orders", order_body("tmall", "SFP-1G"), bearer("finance"))
    # then creating is refused and nothing changed; unknown orders are 404.
    assert response.status_code == 403
    assert Order.objects.count() == 0
    assert client.get("/api/v1/orders/999999", **bearer("finance")).status_code == 404


def test_courier_events_move_the_shipment_and_deliver_the_order(client, bearer):
    # Given a shipped order,
    shipment = ShipmentFactory()
    headers = bearer("aftersales")
    events = {
        "events": [
            {"id": "e1", "status": "已揽收", "time": "2026-11-20T09:00:00+08:00", "location": "深圳"},
            {"id": "e2", "kind": "in_transit", "time": "2026-11-21T09:00:00+08:00", "location": "杭州转运中心"},
        ]
    }
    # when the courier posts its events (twice: a resend),
    first = post(client, f"/api/v1/shipments/{shipment.pk}/events", events, headers)
    again = post(client, f"/api/v1/shipments/{shipment.pk}/events", events, headers)
    # then they are stored once and the parcel is in transit,
    assert first.status_code == 200
    assert first.json()["stored"] == 2
    assert again.json()["stored"] == 0
    assert TrackingEvent.objects.filter(shipment=shipment).count() == 2
    # and a delivery event delivers the order.
    done = post(
        client,
        f"/api/v1/shipments/{shipment.pk}/events",
        {"id": "e3", "status": "已签收", "time": "2026-11-22T15:00:00+08:00"},
        headers,
    )
    assert done.json()["shipment"]["status"] == "delivered"
    shipment.order.refresh_from_db()
    assert shipment.order.status == "delivered"


def test_events_for_an_unknown_shipment_or_bad_events_change_nothing(client, bearer):
    shipment = ShipmentFactory()
    headers = bearer("aftersales")
    assert post(client, "/api/v1/shipments/999999/events", {"kind": "in_transit"}, headers).status_code == 404
    assert post(client, "/api/v1/shipments/abc/events", {"kind": "in_transit"}, headers).status_code == 404
    bad = post(
        client,
        f"/api/v1/shipments/{shipment.pk}/events",
        {"events": [{"kind": "in_transit", "time": "2026-11-21T09:00:00+08:00"}, {"kind": "teleported", "time": "x"}]},
        headers,
    )
    assert bad.status_code == 400
    assert "Unknown tracking event" in bad.json()["message"]
    assert post(client, f"/api/v1/shipments/{shipment.pk}/events", "{oops", headers).status_code == 400
    assert TrackingEvent.objects.count() == 0
    assert (
        post(client, f"/api/v1/shipments/{shipment.pk}/events", {"kind": "in_transit"}, bearer("finance")).status_code
        == 403
    )


def test_shipping_quote_by_weight_and_by_lines(client, bearer, product):
    headers = bearer("sales")
    # Given the default rates, when 2.5 kg to 广东 is quoted,
    response = post(client, "/api/v1/shipping/quote", {"weight_grams": 2500, "province": "广东省"}, headers)
    # then each courier serving 广东 quotes first kg + 2 extra kg, cheapest first.
    assert response.status_code == 200, response.content
    quotes = {q["courier"]: q for q in response.json()["quotes"]}
    assert quotes["顺丰"]["fee"] == "25.00"  # 15 + 2 × 5
    assert quotes["韵达"]["fee"] == "9.50"  # 5.5 + 2 × 2
    fees = [Decimal(q["fee"]) for q in response.json()["quotes"]]
    assert fees == sorted(fees)
    # by lines: 3 × 300 g = 900 g, within the first kilogram; one courier only.
    by_lines = post(
        client,
        "/api/v1/shipping/quote",
        {"lines": [{"sku": "SFP-1G", "quantity": 3}], "province": "新疆", "courier": "顺丰"},
        headers,
    ).json()
    assert by_lines["weight_grams"] == 900
    assert [q["fee"] for q in by_lines["quotes"]] == ["30.00"]


def test_shipping_quote_bad_input(client, bearer, product):
    headers = bearer("sales")
    for body, fragment in [
        ({"weight_grams": -5, "province": "广东"}, "whole number of grams"),
        ({"weight_grams": 100}, "province"),
        ({"weight_grams": 100, "province": "火星"}, "No shipping rate"),
        ({"lines": [{"sku": "NOPE", "quantity": 1}], "province": "广东"}, "no product"),
    ]:
        response = post(client, "/api/v1/shipping/quote", body, headers)
        assert response.status_code == 400, body
        assert fragment in response.json()["message"], body
    assert Shipment.objects.count() == 0
