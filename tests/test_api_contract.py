"""The published OpenAPI contract (/api/v1/openapi.json) tells the truth (issue 20)."""

from __future__ import annotations

import json
from collections import defaultdict

import pytest
from ninja import Schema

from kefu.accounts.actions import do_create_api_token
from kefu.core import clock


def _kefu_schemas() -> list[type[Schema]]:
    import kefu.web.api  # noqa: F401  (registers every app's router, importing its schemas)

    seen: list[type[Schema]] = []
    stack: list[type[Schema]] = list(Schema.__subclasses__())
    while stack:
        cls = stack.pop()
        if cls.__module__.startswith("kefu.") and cls not in seen:
            seen.append(cls)
        stack.extend(cls.__subclasses__())
    return seen


def test_no_two_api_schemas_share_a_name():
    # ninja names a component after its class: two classes with one name overwrite each other
    # in the published schema, and clients then send the wrong body.
    by_name: dict[str, list[str]] = defaultdict(list)
    for cls in _kefu_schemas():
        by_name[cls.__name__].append(f"{cls.__module__}.{cls.__qualname__}")
    assert {name: where for name, where in by_name.items() if len(where) > 1} == {}


@pytest.mark.django_db
def test_every_published_component_matches_its_class(client, roles):
    _token, raw = do_create_api_token(roles["admin"], now=clock.now())
    schema = json.loads(client.get("/api/v1/openapi.json", HTTP_AUTHORIZATION=f"Bearer {raw}").content)
    components = schema["components"]["schemas"]
    for cls in _kefu_schemas():
        if cls.__name__ in components:
            published = set(components[cls.__name__].get("properties", {}))
            assert published == set(cls.model_json_schema().get("properties", {})), cls.__name__


@pytest.mark.django_db
def test_documented_customer_body_keeps_the_phone(client, roles):
    # The documented POST /customers body (identities with the phone) is the one the view reads.
    _token, raw = do_create_api_token(roles["admin"], now=clock.now())
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    schema = json.loads(client.get("/api/v1/openapi.json", **auth).content)
    body = schema["paths"]["/api/v1/customers"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    name = body["$ref"].rsplit("/", 1)[-1]
    assert "identities" in schema["components"]["schemas"][name]["properties"]
    response = client.post(
        "/api/v1/customers",
        {"name": "王芳", "identities": [{"kind": "phone", "value": "13800138000"}]},
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 201, response.content
    assert {"kind": "phone", "value": "13800138000"} in response.json()["identities"]


FORBIDDEN_BEFORE_PARSING = [
    ("post", "/api/v1/customers", "customers.add_customer"),
    ("post", "/api/v1/tickets", "tickets.add_ticket"),
    ("post", "/api/v1/tickets/1/events", "tickets.change_ticket_status"),
    ("post", "/api/v1/conversations/1/events", "conversations.change_conversation_status"),
    ("post", "/api/v1/aftersales/compensations/1/decision", "cases.approve_compensation"),
    ("post", "/api/v1/orders", "aftersales.add_order"),
    ("post", "/api/v1/sla/preview", "sla.preview_sla"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "perm"), FORBIDDEN_BEFORE_PARSING)
def test_a_forbidden_caller_with_a_bad_body_gets_403_not_400(client, roles, method, path, perm):
    from kefu.core.actions import has_perm

    forbidden = [user for user in roles.values() if not has_perm(user, perm)]
    assert forbidden, f"every role has {perm}"
    _token, raw = do_create_api_token(forbidden[0], now=clock.now())
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    send = getattr(client, method)
    response = send(path, '{"event": [[[', content_type="application/json", **auth)
    assert response.status_code == 403, (response.status_code, response.content)
    assert response.json()["error"] == "forbidden"
    # and a caller with no credentials at all is still 401.
    assert send(path).status_code == 401


@pytest.mark.django_db
def test_every_body_and_error_is_documented(client, roles):
    _token, raw = do_create_api_token(roles["admin"], now=clock.now())
    schema = json.loads(client.get("/api/v1/openapi.json", HTTP_AUTHORIZATION=f"Bearer {raw}").content)
    for path in ("/api/v1/orders", "/api/v1/shipping/quote", "/api/v1/shipments/{shipment_id}/events"):
        body = schema["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
        assert body.get("properties"), path
    assert (
        "customer"
        in schema["paths"]["/api/v1/orders"]["post"]["requestBody"]["content"]["application/json"]["schema"][
            "properties"
        ]
    )
    assert set(schema["components"]["schemas"]["ErrorOut"]["required"]) == {"error", "message"}
    for path, item in schema["paths"].items():
        for method, op in item.items():
            for code in ("400", "401", "403"):
                assert code in op["responses"], (method, path, code)
    assert "409" in schema["paths"]["/api/v1/orders"]["post"]["responses"]
