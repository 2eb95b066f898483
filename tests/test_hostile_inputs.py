"""Issue 20, one input layer: typed parameters (kefu.core.params), text and JSON at the edge
(kefu.core.inputs), and each crash the attacker's run found, now a 400 (or 403) in the house
shape {error, message}; 404 / 405 / 500 under /api/ in the house shape too."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.test import Client

from kefu.accounts.actions import do_create_api_token
from kefu.core import clock, inputs, params
from kefu.core.errors import ValidationFailed
from tests.factories import ChannelFactory, CustomerFactory, ProductFactory, ShopFactory, TicketFactory
from tests.factories_cases import CaseOrderFactory

pytestmark = pytest.mark.django_db

# ---- the parsers --------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["²", "٣", "1e3", "4.0", " ", "99999999999999999999", "-1", True, 2.5, [1]])
def test_integer_refuses_what_int_or_the_column_would_choke_on(raw):
    if raw == " ":
        assert params.integer(raw, default=7) == 7  # blank is absent
        return
    with pytest.raises(ValidationFailed):
        params.integer(raw, field="n", lo=0, hi=10**12)


def test_integer_bounds_and_ids():
    assert params.integer("42", hi=100) == 42
    assert params.integer(42) == 42
    with pytest.raises(ValidationFailed):
        params.integer("101", hi=100)
    assert params.object_id("7") == 7
    with pytest.raises(ValidationFailed):
        params.object_id("0")
    assert params.ids(["1", "", "2"]) == [1, 2]
    with pytest.raises(ValidationFailed):
        params.ids(["1"] * 1001)
    assert params.is_digits("123")
    assert not params.is_digits("²")
    assert not params.is_digits("9" * 19)


@pytest.mark.parametrize("raw", ["1e30", "NaN", "Infinity", "12,5", "0x10", "12.505", "-1", "99999999999.00"])
def test_decimal_refuses_exponents_nan_and_out_of_range(raw):
    with pytest.raises(ValidationFailed):
        params.decimal(raw, field="amount")


def test_decimal_reads_plain_amounts():
    assert params.decimal("12.50") == Decimal("12.50")
    assert params.decimal(3) == Decimal(3)


@pytest.mark.parametrize(
    "raw",
    [
        "2026-02-30T10:00",
        "2026-02-01T25:00",
        "9999-12-31T23:59:59-14:00",
        "0001-01-01T00:00+14:00",
        "2026-03-01T09:30+15:00",
        "yesterday",
        "2026-03-01T09:30²",
    ],
)
def test_moment_refuses_impossible_and_extreme_times(raw):
    with pytest.raises(ValidationFailed):
        params.moment(raw, field="at")


def test_moment_and_day_read_real_times():
    assert params.moment("2026-03-01T09:30+08:00").isoformat() == "2026-03-01T09:30:00+08:00"
    assert params.moment("2026-03-01T01:30Z").utcoffset().total_seconds() == 0
    assert params.moment("2026-03-01T09:30").tzinfo is not None  # the deployment's zone
    assert str(params.day("2026-02-28")) == "2026-02-28"
    for bad in ("2026-02-30", "9999-01-01", "2026-2-1"):
        with pytest.raises(ValidationFailed):
            params.day(bad)


def test_choice_flag_text_and_explicit_body_schema():
    assert params.choice("a", {"a", "b"}) == "a"
    with pytest.raises(ValidationFailed):
        params.choice("c", {"a", "b"})
    assert params.flag("on") is True
    assert params.flag("0") is False
    with pytest.raises(ValidationFailed):
        params.text(["list"], field="reason")
    with pytest.raises(ValidationFailed):
        params.text("a\x00b", field="reason")
    schema = {"reason": lambda v: params.text(v, field="reason")}
    assert params.body_fields({"reason": "x"}, schema) == {"reason": "x"}
    with pytest.raises(ValidationFailed) as refused:
        params.body_fields({"reason": "x", "actor": 5}, schema)
    assert refused.value.as_dict()["field"] == "actor"


def test_json_is_measured_before_it_is_parsed():
    assert inputs.json_depth('{"a": [[1]], "b": "[[[[[[["}') == 3
    with pytest.raises(inputs.TooDeep):
        inputs.loads("[" * 100_000 + "]" * 100_000)
    with pytest.raises(inputs.TooLarge):
        inputs.loads(b"[" + b"1," * 200_000 + b"1]")
    with pytest.raises(inputs.BadInput):
        inputs.loads('{"text": "\\u0000"}')
    with pytest.raises(inputs.BadInput):
        inputs.loads('{"\\ud800": 1}')
    with pytest.raises(inputs.NotJson):
        inputs.loads(b"\xff")
    assert inputs.loads(b"") is None
    assert inputs.strip_text("a\x00b\ud800c") == "abc"


# ---- the findings, over HTTP --------------------------------------------------------------


def _as(client: Client, user) -> Client:
    client.force_login(user)
    return client


@pytest.fixture
def api(roles):
    def headers(role: str) -> dict[str, str]:
        _token, raw = do_create_api_token(roles[role], now=clock.now())
        return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    return headers


def _house(response) -> dict:
    body = json.loads(response.content)
    assert set(body) >= {"error", "message"}, body
    return body


@pytest.mark.parametrize("query", ["days=%C2%B2", "team=%C2%B2", "days=99999999999", "team=99999999999999999999999"])
def test_quality_team_page_refuses_bad_numbers_with_400(client, roles, query):
    response = _as(client, roles["supervisor"]).get(f"/quality/team/?{query}")
    assert response.status_code == 400
    response = client.get(f"/quality/inspections/?{query}")
    assert response.status_code == 400


def test_permission_is_checked_before_any_parsing(client, roles):
    # A reception agent may not see the team's quality: 403, whatever the query holds.
    response = _as(client, roles["reception"]).get("/quality/team/?days=%C2%B2&team=%C2%B2")
    assert response.status_code == 403


def test_cost_report_year_out_of_range_is_400(client, roles):
    response = _as(client, roles["supervisor"]).get("/compensations/report/?year=99999999999")
    assert response.status_code == 400
    assert "2200" in response.content.decode()  # the page says the range


def test_widget_upload_with_unicode_digit_conversation_is_not_a_500(client):
    from kefu.intake.widget import session

    channel = ChannelFactory()
    # Without a visitor token: refused (403) before anything is parsed;
    anonymous = client.post(f"/widget/{channel.key}/upload/", {"conversation": "²"})
    assert anonymous.status_code == 403
    assert _house(anonymous)["error"] == "forbidden"
    # with one, the conversation "²" is a 400 naming the field.
    _visitor, token = session.visitor_for(channel, None, None, now=clock.now())
    visitor = client.post(f"/widget/{channel.key}/upload/", {"visitor": token, "conversation": "²"})
    assert visitor.status_code == 400
    assert _house(visitor)["field"] == "conversation"


def test_leave_message_refuses_deep_json_and_nul(client):
    channel = ChannelFactory()
    url = f"/widget/{channel.key}/leave-message/"
    deep = client.post(url, "[" * 50_000 + "]" * 50_000, content_type="application/json")
    assert deep.status_code == 400
    assert _house(deep)["error"] == "too_deep"
    nul = client.post(url, json.dumps({"text": "留言\u0000"}), content_type="application/json")
    assert nul.status_code == 400
    assert _house(nul)["error"] == "invalid_text"


def test_nul_in_a_query_or_form_is_400_everywhere(client, roles):
    _as(client, roles["supervisor"])
    page = client.get("/tickets/?q=%00")
    assert page.status_code == 400
    form = client.post("/tickets/new/", {"subject": "坏\x00"})
    assert form.status_code == 400


def test_api_text_with_nul_or_lone_surrogate_is_400(client, api):
    customer = CustomerFactory()
    for body in ('{"text": "\\u0000"}', '{"text": "\\ud800"}'):
        response = client.post(
            f"/api/v1/customers/{customer.pk}/remarks", body, content_type="application/json", **api("supervisor")
        )
        assert response.status_code == 400, response.content
        assert _house(response)["error"] == "invalid_text"
    ticket = TicketFactory(customer=customer)
    response = client.post(
        f"/api/v1/tickets/{ticket.pk}/remarks",
        '{"text": "\\u0000"}',
        content_type="application/json",
        **api("supervisor"),
    )
    assert response.status_code == 400, response.content
    assert _house(response)["error"] == "invalid_text"


def test_unit_price_1e30_is_400(client, api):
    from tests.factories_orders import ensure_orders_defaults, order_body

    ensure_orders_defaults()
    ProductFactory(shop=ShopFactory(code="tmall", name="天猫旗舰店"), sku="SFP-1G", weight_grams=300)
    body = order_body("tmall", "SFP-1G")
    body["lines"][0]["unit_price"] = "1e30"
    response = client.post("/api/v1/orders", json.dumps(body), content_type="application/json", **api("reception"))
    assert response.status_code == 400, response.content
    assert _house(response)["error"] == "invalid"


def test_case_event_extra_keys_and_lists_are_400(client, api):
    order = CaseOrderFactory()
    created = client.post(
        "/api/v1/aftersales/cases",
        json.dumps({"order": order.pk, "kind": "return_refund", "reason": "wrong_item", "amount": "8.50"}),
        content_type="application/json",
        **api("reception"),
    )
    assert created.status_code == 201, created.content
    events = f"/api/v1/aftersales/cases/{created.json()['id']}/events"
    extra = client.post(
        events, json.dumps({"event": "agree", "actor": 5}), content_type="application/json", **api("aftersales")
    )
    assert extra.status_code == 400
    assert _house(extra)["field"] == "actor"
    listed = client.post(
        events,
        json.dumps({"event": "refuse", "reason": ["list"]}),
        content_type="application/json",
        **api("aftersales"),
    )
    assert listed.status_code == 400
    assert _house(listed)["field"] == "reason"


def test_api_404_405_and_500_answer_in_the_house_shape(client, api):
    missing = client.get("/api/v1/no-such-thing", **api("supervisor"))
    assert missing.status_code == 404
    assert _house(missing)["error"] == "not_found"
    gone = client.get("/api/v1/customers/99999999", **api("supervisor"))
    assert gone.status_code == 404
    assert _house(gone)["error"] == "not_found"
    refused = client.delete("/api/v1/customers", **api("supervisor"))
    assert refused.status_code == 405
    assert _house(refused)["error"] == "method_not_allowed"
    assert "GET" in refused["Allow"]


def test_an_unexpected_api_failure_is_json_in_the_house_shape(rf):
    from kefu.core.middleware import KefuErrorMiddleware

    middleware = KefuErrorMiddleware(lambda request: None)
    response = middleware.process_exception(rf.get("/api/v1/customers"), RuntimeError("boom"))
    assert response is not None
    assert response.status_code == 500
    assert _house(response)["error"] == "server_error"
    assert b"boom" not in response.content  # no traceback or internals leak
    assert middleware.process_exception(rf.get("/inbox/"), RuntimeError("boom")) is None  # pages: Django's 500


def test_flood_and_json_limits_are_typed_settings(tmp_path):
    from kefu.config.env import ConfigError, load_env

    env = load_env(
        {"KEFU_CHAT_IP_RATE": "2.5", "KEFU_CHAT_CHANNEL_BURST": "30", "KEFU_MAX_JSON_DEPTH": "5"}, cwd=tmp_path
    )
    assert (env.chat_ip_rate, env.chat_ip_burst, env.chat_channel_burst) == (2.5, 50, 30)
    assert (env.max_json_kb, env.max_json_depth) == (256, 5)
    for bad in ({"KEFU_CHAT_IP_RATE": "0"}, {"KEFU_CHAT_CHANNEL_BURST": "0"}, {"KEFU_MAX_JSON_DEPTH": "1"}):
        with pytest.raises(ConfigError):
            load_env(bad, cwd=tmp_path)


def test_platform_bridge_refuses_nul_with_a_400_so_the_platform_stops_retrying(client):
    from kefu.conversations.models import Message
    from kefu.intake.webhooks import sign

    ChannelFactory(kind="platform", key="tb-h20", secret="s3cret", config={"platform": "taobao"})

    def deliver(raw: bytes, key: str):
        headers = {"X-Kefu-Channel": "tb-h20", "X-Kefu-Signature": sign("s3cret", raw), "Idempotency-Key": key}
        return client.post("/api/v1/platform/messages", data=raw, content_type="application/json", headers=headers)

    nul = deliver(json.dumps({"user": {"id": "b1"}, "text": "坏\u0000"}).encode(), "k1")
    assert nul.status_code == 400, nul.content
    assert _house(nul)["error"] == "invalid_text"
    deep = deliver(b'{"user": ' + b"[" * 10_000 + b"]" * 10_000 + b"}", "k2")
    assert deep.status_code == 400
    assert _house(deep)["error"] == "too_deep"
    assert not Message.objects.exists()
    ok = deliver(json.dumps({"user": {"id": "b1"}, "text": "好的"}).encode(), "k3")
    assert ok.status_code in (200, 201), ok.content
