"""Outgoing webhooks end to end (docs/webhooks.md): a real HTTP receiver on loopback, the real
actions and API, the worker's sweeper and send jobs (run in-process: the suite's queue is immediate)."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import time_machine

from kefu.accounts.actions import do_create_api_token
from kefu.core import clock
from kefu.core.errors import PermissionDenied, ValidationFailed
from kefu.core.tasks import sweep_once
from kefu.webhooks import actions
from kefu.webhooks.models import Delivery, Endpoint
from kefu.webhooks.tasks import deliver_due
from tests.factories import ConversationFactory, CustomerFactory
from tests.factories_integrations import DeliveryFactory

pytestmark = pytest.mark.django_db

SECRET = "whsec_test_secret_0123456789abcdef"


class Receiver:
    """An HTTP server on 127.0.0.1 in a thread; ``plan`` is the status to answer per request
    (the last repeats), ``hang`` seconds to sleep before answering."""

    def __init__(self, plan: list[int], hang: float = 0.0) -> None:
        self.plan = list(plan)
        self.hang = hang
        self.requests: list[dict[str, Any]] = []
        self.arrived = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"headers": dict(self.headers), "body": body, "path": self.path})
                receiver.arrived.set()
                if receiver.hang:
                    time.sleep(receiver.hang)
                status = receiver.plan.pop(0) if len(receiver.plan) > 1 else receiver.plan[0]
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(f"answer {status}".encode())

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/kefu?src=test"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Any]:
    made: list[Receiver] = []

    def make(plan: list[int], hang: float = 0.0) -> Receiver:
        made.append(Receiver(plan, hang))
        return made[-1]

    yield make
    for r in made:
        r.close()


def _endpoint(admin: Any, url: str, types: list[str]) -> Endpoint:
    return actions.check_create_endpoint(actor=admin, name="ERP", url=url, event_types=types, secret=SECRET)


def _verify(request: dict[str, Any], secret: str = SECRET) -> bool:
    """What a receiver does, written from docs/webhooks.md (not from kefu's code)."""
    headers = {k.lower(): v for k, v in request["headers"].items()}
    timestamp = headers["x-kefu-timestamp"]
    if abs(time.time() - int(timestamp)) > 300:
        return False
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + request["body"], hashlib.sha256).hexdigest()
    return hmac.compare_digest(headers["x-kefu-signature"], f"v1={mac}")


def test_signed_delivery_of_a_chat_message(roles, receiver, django_capture_on_commit_callbacks):
    # Given an endpoint subscribed to message.created on a real receiver,
    r = receiver([200])
    endpoint = _endpoint(roles["admin"], r.url, ["message.created"])
    conversation = ConversationFactory()
    # when an agent posts a reply (committed),
    with django_capture_on_commit_callbacks(execute=True):
        from kefu.conversations.actions import check_send_reply

        _message, _ = check_send_reply(conversation, "您好，已为您查询", actor=roles["reception"])
    # then a pending delivery exists and nothing was sent on the event path,
    delivery = Delivery.objects.get(endpoint=endpoint)
    assert delivery.status == "pending"
    assert delivery.attempts == 0
    assert r.requests == []
    # and the worker's sweep sends it, signed; the receiver verifies the signature.
    assert sweep_once()["webhooks.deliver"] == 1
    assert len(r.requests) == 1
    sent = r.requests[0]
    assert _verify(sent)
    assert not _verify(sent, secret="another_secret_of_enough_length")
    assert sent["path"] == "/hooks/kefu?src=test"
    body = json.loads(sent["body"])
    assert body["event"] == "message.created"
    assert body["data"]["message"]["text"] == "您好，已为您查询"
    assert body["event_id"] == f"conversation:{conversation.pk}#{body['data']['id']}"
    headers = {k.lower(): v for k, v in sent["headers"].items()}
    assert headers["x-kefu-event"] == "message.created"
    assert headers["x-kefu-delivery"] == str(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == "delivered"
    assert delivery.status_code == 200
    assert delivery.attempts == 1
    assert delivery.response_excerpt == "answer 200"
    assert delivery.delivered_at is not None
    # A tampered body does not verify; neither does a replayed request 6 minutes later.
    assert not _verify({**sent, "body": sent["body"].replace("您好".encode(), "你好".encode())})
    with time_machine.travel(time.time() + 360):
        assert not _verify(sent)


def test_retry_after_500_then_success_with_backoff(roles, receiver, django_capture_on_commit_callbacks):
    # Given a receiver that answers 500 first, then 200,
    r = receiver([500, 200])
    endpoint = _endpoint(roles["admin"], r.url, ["ticket.created"])
    # when a ticket is created,
    from kefu.tickets.actions import check_create_ticket

    with django_capture_on_commit_callbacks(execute=True):
        check_create_ticket(CustomerFactory(), actor=roles["reception"], subject="报修：不出水")
    start = clock.now()
    with time_machine.travel(start, tick=False):
        assert deliver_due(clock.now()) == 1
    # then the first attempt failed with the 500 and waits one minute,
    delivery = Delivery.objects.get(endpoint=endpoint)
    assert delivery.status == "pending"
    assert delivery.attempts == 1
    assert delivery.status_code == 500
    assert delivery.response_excerpt == "answer 500"
    assert delivery.error == "HTTP 500"
    assert delivery.next_attempt_at == start + timedelta(seconds=60)
    # nothing is sent before that,
    with time_machine.travel(start + timedelta(seconds=59), tick=False):
        assert deliver_due(clock.now()) == 0
    # and after it the retry succeeds, with the same delivery id and a fresh signature.
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        assert deliver_due(clock.now()) == 1
        delivery.refresh_from_db()
        assert delivery.status == "delivered"
        assert delivery.attempts == 2
        assert len(delivery.log) == 2
        assert len(r.requests) == 2
        assert all(_verify(x) for x in r.requests)
    ids = {x["headers"]["X-Kefu-Delivery"] for x in r.requests}
    assert ids == {str(delivery.pk)}


def test_dead_endpoint_fails_after_the_last_attempt(roles, django_capture_on_commit_callbacks):
    # Given an endpoint nobody listens on (connection refused),
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    endpoint = _endpoint(roles["admin"], f"http://127.0.0.1:{port}/", ["ticket.created"])
    from kefu.tickets.actions import check_create_ticket

    with django_capture_on_commit_callbacks(execute=True):
        check_create_ticket(CustomerFactory(), actor=roles["reception"], subject="报修")
    # when every attempt fails, the waits grow 1 min … 12 h and after the 8th it is failed.
    now = clock.now()
    waits = []
    for _ in range(actions.MAX_ATTEMPTS):
        with time_machine.travel(now, tick=False):
            assert deliver_due(clock.now()) == 1
        delivery = Delivery.objects.get(endpoint=endpoint)
        if delivery.next_attempt_at is not None:
            waits.append(int((delivery.next_attempt_at - now).total_seconds()))
            now = delivery.next_attempt_at
    assert waits == list(actions.RETRY_DELAYS)
    assert delivery.status == "failed"
    assert delivery.attempts == 8
    assert "ConnectionRefused" in delivery.error
    assert deliver_due(now + timedelta(days=2)) == 0


def test_a_hanging_endpoint_does_not_delay_the_event_path(
    roles, receiver, settings, django_capture_on_commit_callbacks
):
    # Given an endpoint that sleeps 3 s before answering, and a 1 s send timeout,
    settings.KEFU_WEBHOOK_TIMEOUT = 1
    r = receiver([200], hang=3.0)
    endpoint = _endpoint(roles["admin"], r.url, ["message.created", "ticket.created"])
    conversation = ConversationFactory()
    from kefu.conversations.actions import check_send_reply
    from kefu.tickets.actions import check_create_ticket

    # when a chat message and a ticket are written and committed,
    with django_capture_on_commit_callbacks(execute=True):
        check_send_reply(conversation, "请稍等", actor=roles["reception"])
        check_create_ticket(CustomerFactory(), actor=roles["reception"], subject="报修")
    # then the writes returned without the endpoint having been called at all (no request
    # arrived: the event path only wrote delivery rows),
    assert not r.arrived.wait(0.5)
    assert Delivery.objects.filter(endpoint=endpoint, status="pending", attempts=0).count() == 2
    # and the worker's send gives up at the timeout and schedules a retry.
    assert deliver_due(clock.now()) == 2
    failed = Delivery.objects.filter(endpoint=endpoint)
    assert all(d.attempts == 1 and d.status == "pending" and d.error.startswith("timeout") for d in failed)


def test_replay_resends_as_a_new_delivery(roles, receiver, client, django_capture_on_commit_callbacks):
    # Given a delivered event,
    r = receiver([200])
    endpoint = _endpoint(roles["admin"], r.url, ["ticket.created"])
    from kefu.tickets.actions import check_create_ticket

    with django_capture_on_commit_callbacks(execute=True):
        check_create_ticket(CustomerFactory(), actor=roles["reception"], subject="报修")
    deliver_due(clock.now())
    original = Delivery.objects.get(endpoint=endpoint)
    assert original.status == "delivered"
    # when an administrator replays it through the API,
    _t, raw = do_create_api_token(roles["admin"], now=clock.now())
    answer = client.post(f"/api/v1/webhooks/deliveries/{original.pk}/replay", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert answer.status_code == 202
    replay = Delivery.objects.get(pk=answer.json()["id"])
    assert replay.replay_of == original
    assert replay.status == "pending"
    # then the worker sends the same payload again under the new delivery id.
    deliver_due(clock.now())
    assert len(r.requests) == 2
    assert r.requests[1]["body"] == r.requests[0]["body"]
    assert _verify(r.requests[1])
    assert r.requests[1]["headers"]["X-Kefu-Delivery"] == str(replay.pk)
    log = client.get(f"/api/v1/webhooks/deliveries?endpoint={endpoint.pk}", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert [d["status"] for d in log.json()] == ["delivered", "delivered"]


@pytest.mark.parametrize("role", ["reception", "supervisor", "finance"])
def test_wrong_permissions_get_403(roles, client, role):
    # Given a delivery and a non-administrator,
    endpoint = _endpoint(roles["admin"], "http://127.0.0.1:9/", ["ticket.created"])
    delivery = DeliveryFactory(endpoint=endpoint)
    _t, raw = do_create_api_token(roles[role], now=clock.now())
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    # when they replay, list or create, then the API answers 403 in the house shape.
    answer = client.post(f"/api/v1/webhooks/deliveries/{delivery.pk}/replay", **auth)
    assert answer.status_code == 403
    assert answer.json()["error"] == "forbidden"
    assert client.get("/api/v1/webhooks/deliveries", **auth).status_code == 403
    assert client.get("/api/v1/webhooks/endpoints", **auth).status_code == 403
    made = client.post(
        "/api/v1/webhooks/endpoints",
        data={"name": "x", "url": "http://127.0.0.1/", "event_types": ["ticket.created"]},
        content_type="application/json",
        **auth,
    )
    assert made.status_code == 403
    # and the action itself refuses, too.
    with pytest.raises(PermissionDenied):
        actions.check_replay_delivery(delivery, actor=roles[role])
    assert Delivery.objects.count() == 1


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/",
        "file:///etc/passwd",
        "gopher://127.0.0.1:6379/",
        "http://user:pw@example.com/",
        "x",
        "http://[::1/",  # urlsplit raises on an unclosed bracket: was a 500 (schemathesis found it)
        "http://-.cn/",
        "http://x..cn/",
        "http://example.com:0/",
        "http://example.com:99999/",
    ],
)
def test_only_http_and_https_urls(roles, url):
    with pytest.raises(ValidationFailed):
        _endpoint(roles["admin"], url, ["ticket.created"])


def test_api_creates_endpoint_secret_encrypted_at_rest(roles, client):
    _t, raw = do_create_api_token(roles["admin"], now=clock.now())
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    answer = client.post(
        "/api/v1/webhooks/endpoints",
        data={"name": "ERP", "url": "https://erp.example.com/kefu", "event_types": ["ticket.created"]},
        content_type="application/json",
        **auth,
    )
    assert answer.status_code == 201
    secret = answer.json()["secret"]
    assert secret.startswith("whsec_")
    # The column holds ciphertext, the model the plain secret; listing never shows it.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM webhooks_endpoint WHERE id = %s", [answer.json()["id"]])
        stored = cursor.fetchone()[0]
    assert stored.startswith("kefu-enc:")
    assert secret not in stored
    assert Endpoint.objects.get().secret == secret
    assert client.get("/api/v1/webhooks/endpoints", **auth).json()[0]["secret"] is None
    bad = client.post(
        "/api/v1/webhooks/endpoints",
        data={"name": "ERP", "url": "ftp://x/", "event_types": ["nope"]},
        content_type="application/json",
        **auth,
    )
    assert bad.status_code == 400
    assert bad.json()["error"] == "invalid"


def test_unsubscribed_and_inactive_endpoints_get_nothing(roles, receiver, django_capture_on_commit_callbacks):
    r = receiver([200])
    endpoint = _endpoint(roles["admin"], r.url, ["ticket.status"])
    from kefu.tickets.actions import check_create_ticket

    with django_capture_on_commit_callbacks(execute=True):
        check_create_ticket(CustomerFactory(), actor=roles["reception"], subject="报修")
    assert Delivery.objects.count() == 0
    actions.check_update_endpoint(endpoint, actor=roles["admin"], event_types=["ticket.created"], active=False)
    with django_capture_on_commit_callbacks(execute=True):
        check_create_ticket(CustomerFactory(), actor=roles["reception"], subject="报修")
    assert Delivery.objects.count() == 0


def test_rolled_back_events_are_not_delivered(roles, receiver, django_capture_on_commit_callbacks):
    from django.db import transaction

    from kefu.tickets.actions import check_create_ticket

    r = receiver([200])
    _endpoint(roles["admin"], r.url, ["ticket.created"])
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                check_create_ticket(CustomerFactory(), actor=roles["reception"], subject="报修")
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
    assert Delivery.objects.count() == 0


def test_admin_configures_endpoints_and_replays_through_the_actions(roles, client):
    from kefu.core.events import audit_trail

    admin = roles["admin"]
    admin.is_staff = True
    admin.save()
    client.force_login(admin)
    # Given the admin's add form, when an administrator saves an endpoint with the secret left blank,
    answer = client.post(
        "/admin/webhooks/endpoint/add/",
        {"name": "ERP", "url": "https://erp.example.com/kefu", "event_types": ["ticket.created"], "active": "on"},
        follow=True,
    )
    assert answer.status_code == 200
    endpoint = Endpoint.objects.get()
    # then a secret was generated and shown once, and the action wrote the audit row.
    assert endpoint.secret.startswith("whsec_")
    assert endpoint.secret in answer.content.decode()
    assert [e.verb for e in audit_trail(endpoint)] == ["webhook.created"]
    # The edit form never shows it back; leaving it blank keeps it.
    page = client.get(f"/admin/webhooks/endpoint/{endpoint.pk}/change/").content.decode()
    assert endpoint.secret not in page
    client.post(
        f"/admin/webhooks/endpoint/{endpoint.pk}/change/",
        {"name": "ERP 2", "url": "https://erp.example.com/kefu", "event_types": ["ticket.created"], "active": "on"},
    )
    changed = Endpoint.objects.get()
    assert changed.name == "ERP 2"
    assert changed.secret == endpoint.secret
    # A non-http URL is refused by the form.
    refused = client.post(
        "/admin/webhooks/endpoint/add/", {"name": "x", "url": "file:///etc/passwd", "event_types": ["ticket.created"]}
    )
    assert "必须以 http:// 或 https:// 开头" in refused.content.decode()  # the admin speaks zh-Hans by default
    # The delivery log's replay action makes a new delivery.
    delivery = DeliveryFactory(endpoint=changed, payload={"x": 1})
    client.post("/admin/webhooks/delivery/", {"action": "replay", "_selected_action": [delivery.pk]}, follow=True)
    assert Delivery.objects.filter(replay_of=delivery).count() == 1


def test_admin_replay_is_not_offered_without_the_permission(roles, client):
    supervisor = roles["supervisor"]
    supervisor.is_staff = True
    supervisor.save()
    client.force_login(supervisor)
    assert client.get("/admin/webhooks/delivery/").status_code == 403


def test_old_finished_deliveries_are_pruned(roles):
    from kefu.webhooks.tasks import prune

    endpoint = _endpoint(roles["admin"], "http://127.0.0.1:9/", ["ticket.created"])
    now = clock.now()
    old = now - timedelta(days=actions.KEEP_DAYS + 1)
    for i, status in enumerate(["delivered", "failed", "pending"]):
        DeliveryFactory(endpoint=endpoint, event_key=f"ticket:{i}#1", status=status, created_at=old)
    DeliveryFactory(endpoint=endpoint, event_key="ticket:9#1", status="delivered", created_at=now)
    assert prune(now) == 2
    assert sorted(Delivery.objects.values_list("status", flat=True)) == ["delivered", "pending"]
