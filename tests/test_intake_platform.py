"""Platform channel: signed, idempotent inbound webhook into the chat conversation model, and
agents' answers pushed to the channel's callback URL (a real HTTP server on loopback) with a
signature and retries."""

from __future__ import annotations

import contextlib
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from kefu.conversations.actions import check_send_reply
from kefu.conversations.models import Conversation, Message
from kefu.customers.models import CustomerIdentity
from kefu.intake.models import PlatformDelivery
from kefu.intake.platform import actions as platform
from kefu.intake.webhooks import sign
from tests.factories import ChannelFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/platform/messages"
SECRET = "shop-platform-secret"


class Receiver(BaseHTTPRequestHandler):
    received: list[tuple[dict, bytes]] = []
    fail_first = 0

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((dict(self.headers), body))
        if type(self).fail_first > 0:
            type(self).fail_first -= 1
            self.send_response(503)
        else:
            self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return None


@pytest.fixture
def receiver():
    Receiver.received = []
    Receiver.fail_first = 0
    server = HTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def shop(receiver):
    url = f"http://127.0.0.1:{receiver.server_address[1]}/kefu-callback"
    return ChannelFactory(
        kind="platform",
        key="taobao-main",
        name="淘宝店",
        secret=SECRET,
        config={"platform": "taobao", "callback_url": url},
    )


def post(client, body: dict, key: str):
    raw = json.dumps(body, ensure_ascii=False).encode()
    return client.post(
        URL,
        data=raw,
        content_type="application/json",
        headers={"X-Kefu-Channel": "taobao-main", "X-Kefu-Signature": sign(SECRET, raw), "Idempotency-Key": key},
    )


def test_inbound_message_starts_and_continues_a_conversation(client, shop):
    first = post(client, {"user": {"id": "buyer_88", "name": "小明"}, "text": "在吗？发什么快递？"}, "e1").json()
    second = post(client, {"user": {"id": "buyer_88"}, "text": "能发顺丰吗"}, "e2").json()
    assert first["conversation"] == second["conversation"]
    conversation = Conversation.objects.get(pk=first["conversation"])
    assert conversation.channel == shop
    assert list(conversation.messages.values_list("text", flat=True)) == ["在吗？发什么快递？", "能发顺丰吗"]
    identity = CustomerIdentity.objects.get(kind="platform")
    assert (identity.value, identity.customer.name) == ("taobao:buyer_88", "小明")


def test_repeated_delivery_is_idempotent(client, shop):
    body = {"user": {"id": "buyer_1"}, "text": "你好", "message_id": "tb-1"}
    first = post(client, body, "same").json()
    again = post(client, body, "same").json()
    assert (first["duplicate"], again["duplicate"]) == (False, True)
    assert again["message"] == first["message"]
    # and: the same platform message id under a new key is still one message
    other = post(client, body, "other-key").json()
    assert other["message"] == first["message"]
    assert Message.objects.count() == 1


def test_bad_signature_is_refused(client, shop):
    raw = json.dumps({"user": {"id": "x"}, "text": "hi"}).encode()
    response = client.post(
        URL,
        data=raw,
        content_type="application/json",
        headers={"X-Kefu-Channel": "taobao-main", "X-Kefu-Signature": sign("wrong", raw), "Idempotency-Key": "k"},
    )
    assert response.status_code == 401
    assert Message.objects.count() == 0


def test_agent_answer_is_pushed_signed_and_retried(client, shop, receiver, django_capture_on_commit_callbacks):
    data = post(client, {"user": {"id": "buyer_9"}, "text": "发票怎么开"}, "m").json()
    conversation = Conversation.objects.get(pk=data["conversation"])
    Receiver.fail_first = 2
    # when: the agent answers (the first push runs at once and gets a 503)
    with django_capture_on_commit_callbacks(execute=True):
        message, _created = check_send_reply(conversation, "下单时填写抬头即可。", actor=UserFactory(role="reception"))
    delivery = PlatformDelivery.objects.get(message=message)
    assert (delivery.status, delivery.attempts) == ("retrying", 1)
    # and: the job queue retries
    for _ in range(2):
        with contextlib.suppress(OSError):
            platform.push_platform_message(message.pk)
    delivery.refresh_from_db()
    # then: sent on the third attempt, each request signed over its body
    assert (delivery.status, delivery.attempts) == ("sent", 3)
    headers, body = Receiver.received[-1]
    assert headers["X-Kefu-Signature"] == sign(SECRET, body)
    payload = json.loads(body)
    assert (payload["text"], payload["user"]["id"], payload["conversation"]) == (
        "下单时填写抬头即可。",
        "buyer_9",
        conversation.pk,
    )


def test_push_gives_up_visibly(client, shop, receiver, django_capture_on_commit_callbacks):
    data = post(client, {"user": {"id": "buyer_7"}, "text": "在吗"}, "m7").json()
    conversation = Conversation.objects.get(pk=data["conversation"])
    Receiver.fail_first = 100
    with django_capture_on_commit_callbacks(execute=True):
        message, _created = check_send_reply(conversation, "在的", actor=UserFactory(role="reception"))
    for _ in range(platform.RETRIES):
        with contextlib.suppress(OSError):
            platform.push_platform_message(message.pk)
    delivery = PlatformDelivery.objects.get(message=message)
    assert (delivery.status, delivery.attempts) == ("failed", platform.ATTEMPTS)
    note = Message.objects.filter(conversation=conversation, is_internal=True).last()
    assert note.author_kind == "system"
    assert "HTTP 503" in note.text
