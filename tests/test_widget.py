"""The visitor's side of live chat: the widget WebSocket, tokens, uploads, leaving a message."""

from __future__ import annotations

import io
import json

import pytest
from asgiref.sync import async_to_sync, sync_to_async

from kefu.accounts.choices import Presence
from kefu.conversations.actions import do_post_message
from kefu.conversations.models import Conversation, Message
from kefu.core import clock
from kefu.customers.models import CustomerIdentity
from kefu.intake.widget import session
from kefu.intake.widget.consumers import WidgetConsumer
from kefu.intake.widget.tokens import sign_customer_token
from kefu.tickets.models import Ticket
from tests.factories import ChannelFactory, UserFactory
from tests.ws_support import Socket

pytestmark = pytest.mark.django_db(transaction=True)

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)


def visitor_socket(channel_key: str, lang: str = "zh-CN") -> Socket:
    return Socket(WidgetConsumer, path="/ws/widget/", query=f"channel={channel_key}&lang={lang}")


async def hello(ws: Socket, **fields):
    connected, code = await ws.connect()
    assert connected, code
    await ws.send_json_to({"op": "hello", **fields})
    return await ws.receive_json_from()


@pytest.fixture
def online_agent(db):
    return UserFactory(role="reception", presence=Presence.ONLINE, username="xiaowang", display_name="小王")


def test_visitor_message_is_stored_acknowledged_routed_and_deduplicated(online_agent):
    channel = ChannelFactory(welcome="欢迎光临")

    async def scenario():
        ws = visitor_socket(channel.key)
        # Given a new visitor
        welcome = await hello(ws)
        assert welcome["type"] == "welcome"
        assert welcome["visitor"]
        assert welcome["conversation"] is None
        assert welcome["availability"]["online"] is True
        assert welcome["channel"]["welcome"] == "欢迎光临"
        # When they send a message
        await ws.send_json_to({"op": "send", "client_id": "c-1", "text": "你好，我想问一下退货"})
        ack = await ws.receive_json_from()
        # Then it is acknowledged with the stored message id
        assert ack["type"] == "ack"
        assert ack["client_id"] == "c-1"
        message = await sync_to_async(Message.objects.get)(pk=ack["message"])
        assert message.text == "你好，我想问一下退货"
        # and the visitor receives the stream: created, message, the routing to the agent
        events = []
        _frame, skipped = await ws.receive_until(lambda f: f["type"] == "caught_up")
        events = skipped
        kinds = [(e["type"], e["op"]) for e in events]
        assert ("message", "created") in kinds
        assigned = next(e for e in events if e["type"] == "conversation" and e["op"] == "assigned")
        assert assigned["agent"] == "小王"
        # When the acknowledgement was lost and the widget resends with the same client id
        await ws.send_json_to({"op": "send", "client_id": "c-1", "text": "你好，我想问一下退货"})
        again = await ws.receive_json_from()
        assert again["message"] == ack["message"]
        await ws.disconnect()
        return ack

    ack = async_to_sync(scenario)()
    # Then nothing was duplicated, and the routing decision is recorded
    conversation = Conversation.objects.get(pk=ack["conversation"])
    assert conversation.messages.count() == 1
    assert conversation.assignee == online_agent
    assert conversation.routing["reason"] == "least_busy"
    assert conversation.customer.identities.filter(kind="visitor").exists()


def test_reconnect_gets_exactly_the_missed_visible_events(online_agent):
    channel = ChannelFactory()

    async def first_visit():
        ws = visitor_socket(channel.key)
        welcome = await hello(ws)
        await ws.send_json_to({"op": "send", "client_id": "a", "text": "在吗"})
        ack = await ws.receive_json_from()
        _frame, events = await ws.receive_until(lambda f: f["type"] == "caught_up")
        await ws.disconnect()
        return welcome["visitor"], ack["conversation"], max(e["id"] for e in events if e.get("id"))

    token, conversation_id, last_seen = async_to_sync(first_visit)()
    # While the visitor is away, the agent replies and a colleague writes an internal note
    conversation = Conversation.objects.get(pk=conversation_id)
    do_post_message(conversation, author_kind="agent", author=online_agent, text="您好，在的", now=clock.now())
    do_post_message(
        conversation, author_kind="agent", author=online_agent, text="内部：老客户", now=clock.now(), is_internal=True
    )

    async def second_visit():
        ws = visitor_socket(channel.key)
        welcome = await hello(ws, visitor=token, conversation=conversation_id, after=last_seen)
        _frame, missed = await ws.receive_until(lambda f: f["type"] == "caught_up")
        await ws.disconnect()
        return welcome, missed

    welcome, missed = async_to_sync(second_visit)()
    assert welcome["conversation"]["id"] == conversation_id
    assert welcome["conversation"]["agent"] == "小王"
    texts = [e["message"]["text"] for e in missed if e["type"] == "message"]
    # exactly the reply: not the earlier messages again, never the internal note
    assert texts == ["您好，在的"]
    assert all(e["id"] > last_seen for e in missed)


def test_html_in_messages_is_stored_as_text_and_long_messages_are_refused(online_agent):
    channel = ChannelFactory()

    async def scenario():
        ws = visitor_socket(channel.key, lang="en-US")
        await hello(ws)
        await ws.send_json_to({"op": "send", "client_id": "x", "text": "<script>alert(1)</script>"})
        ack = await ws.receive_json_from()
        await ws.receive_until(lambda f: f["type"] == "caught_up")
        await ws.send_json_to({"op": "send", "client_id": "long", "text": "好" * 5001})
        refused = await ws.receive_json_from()
        await ws.send_to("{not json")
        broken = await ws.receive_json_from()
        await ws.disconnect()
        return ack, refused, broken

    ack, refused, broken = async_to_sync(scenario)()
    assert Message.objects.get(pk=ack["message"]).text == "<script>alert(1)</script>"
    assert refused["type"] == "error"
    assert refused["client_id"] == "long"
    assert "5000" in refused["message"] or "5,000" in refused["message"]
    assert broken["error"] == "invalid_json"


def test_error_messages_follow_the_browser_language(online_agent):
    channel = ChannelFactory()

    async def scenario():
        ws = visitor_socket(channel.key, lang="zh-TW")
        await hello(ws)
        await ws.send_json_to({"op": "send", "client_id": "e", "text": "   "})
        error = await ws.receive_json_from()
        await ws.disconnect()
        return error

    error = async_to_sync(scenario)()
    assert error["type"] == "error"
    assert "訊息" in error["message"] or "消息" not in error["message"]


def test_flooding_visitor_is_rate_limited(online_agent, monkeypatch):
    channel = ChannelFactory()
    monkeypatch.setattr(session, "FLOOD", session.FloodGate(rate=0.5, burst=3))

    async def scenario():
        ws = visitor_socket(channel.key)
        await hello(ws)
        replies = []
        for n in range(5):
            await ws.send_json_to({"op": "send", "client_id": f"f{n}", "text": f"第{n}条"})
            reply, _ = await ws.receive_until(lambda f: f["type"] in ("ack", "error"))
            replies.append(reply)
        await ws.disconnect()
        return replies

    replies = async_to_sync(scenario)()
    assert [r["type"] for r in replies] == ["ack", "ack", "ack", "error", "error"]
    assert replies[3]["error"] == "rate_limited"
    assert replies[3]["retry_after"] > 0
    assert Message.objects.count() == 3


def test_unknown_channel_key_is_refused():
    async def scenario():
        ws = visitor_socket("no-such-channel")
        return await ws.connect()

    connected, code = async_to_sync(scenario)()
    assert not connected
    assert code == 4404


def test_signed_customer_token_recognises_the_sites_customer_and_a_forged_one_is_refused(online_agent):
    channel = ChannelFactory(secret="s3cret-of-the-shop")
    good = sign_customer_token(channel.secret, {"id": "u1001", "name": "张伟", "phone": "13800138000"})
    forged = sign_customer_token("not-the-secret", {"id": "u1001", "name": "张伟"})
    expired = sign_customer_token(channel.secret, {"id": "u1001", "exp": 1000})

    async def scenario():
        ws = visitor_socket(channel.key)
        refused = await hello(ws, customer_token=forged)
        await ws.disconnect()
        ws = visitor_socket(channel.key)
        old = await hello(ws, customer_token=expired)
        await ws.disconnect()
        ws = visitor_socket(channel.key)
        await hello(ws, customer_token=good)
        await ws.send_json_to({"op": "send", "client_id": "t", "text": "我的订单"})
        ack = await ws.receive_json_from()
        await ws.disconnect()
        return refused, old, ack

    refused, old, ack = async_to_sync(scenario)()
    assert refused["type"] == "error"
    assert refused["error"] == "forbidden"
    assert old["type"] == "error"
    customer = Conversation.objects.get(pk=ack["conversation"]).customer
    assert customer.name == "张伟"
    kinds = dict(customer.identities.values_list("kind", "value"))
    assert kinds["platform"] == f"{channel.key}:u1001"
    assert kinds["phone"] == "13800138000"
    assert CustomerIdentity.objects.filter(kind="platform").count() == 1


def test_returning_customer_goes_back_to_their_previous_agent(online_agent):
    channel = ChannelFactory(routing="round_robin")
    other = UserFactory(role="reception", presence=Presence.ONLINE, username="xiaoli")

    async def chat(token=None):
        ws = visitor_socket(channel.key)
        welcome = await hello(ws, **({"visitor": token} if token else {}))
        await ws.send_json_to({"op": "send", "client_id": "r", "text": "你好"})
        ack = await ws.receive_json_from()
        await ws.disconnect()
        return welcome["visitor"], ack["conversation"]

    token, first = async_to_sync(chat)()
    first_agent = Conversation.objects.get(pk=first).assignee
    assert first_agent == online_agent  # round robin: never routed before, lower id first
    Conversation.objects.filter(pk=first).update(status="closed")
    _token, second = async_to_sync(chat)(token)
    conversation = Conversation.objects.get(pk=second)
    assert second != first
    assert conversation.assignee == first_agent
    # round robin alone would now pick the other agent; the returning customer gets theirs
    assert conversation.routing["reason"] == "previous_agent"
    assert other.pk in conversation.routing["candidates"]


def test_leave_message_when_no_agent_is_online_becomes_a_ticket(client):
    channel = ChannelFactory(name="瑞光网站")

    async def scenario():
        ws = visitor_socket(channel.key)
        welcome = await hello(ws)
        await ws.disconnect()
        return welcome

    welcome = async_to_sync(scenario)()
    # Given nobody is online
    assert welcome["availability"]["online"] is False
    body = {
        "visitor": welcome["visitor"],
        "name": "高小姐",
        "phone": "139 1234 5678",
        "email": "",
        "text": "想退货，请回电",
        "lang": "zh-CN",
    }
    # When the visitor leaves a message
    response = client.post(f"/widget/{channel.key}/leave-message/", json.dumps(body), content_type="application/json")
    # Then it is a ticket, and the visitor is told by when to expect an answer
    assert response.status_code == 200, response.content
    data = response.json()
    ticket = Ticket.objects.get(pk=data["ticket"])
    assert "想退货，请回电" in ticket.description
    assert ticket.customer.identities.filter(kind="phone", value="13912345678").exists()
    assert data["expect_by"]
    assert str(ticket.pk) in data["message"]
    # Without contact details, or with a forged visitor token, nothing is created
    bad = client.post(
        f"/widget/{channel.key}/leave-message/", json.dumps({**body, "phone": ""}), content_type="application/json"
    )
    assert (bad.status_code == 400 and "phone" in bad.json()["message"].lower()) or "电话" in bad.json()["message"]
    forged = client.post(
        f"/widget/{channel.key}/leave-message/",
        json.dumps({**body, "visitor": "forged"}),
        content_type="application/json",
    )
    assert forged.status_code == 403
    broken = client.post(f"/widget/{channel.key}/leave-message/", "{oops", content_type="application/json")
    assert broken.status_code == 400
    assert Ticket.objects.count() == 1


def test_image_upload_is_checked_by_content(client, online_agent):
    channel = ChannelFactory()

    async def scenario():
        ws = visitor_socket(channel.key)
        welcome = await hello(ws)
        await ws.disconnect()
        return welcome["visitor"]

    token = async_to_sync(scenario)()
    fake = io.BytesIO(b"MZ\x90\x00 this is an exe")
    fake.name = "photo.png"
    refused = client.post(f"/widget/{channel.key}/upload/", {"visitor": token, "client_id": "i1", "file": fake})
    assert refused.status_code == 400
    image = io.BytesIO(PNG)
    image.name = "photo.png"
    ok = client.post(f"/widget/{channel.key}/upload/", {"visitor": token, "client_id": "i2", "file": image})
    assert ok.status_code == 200, ok.content
    message = Message.objects.get(pk=ok.json()["message"])
    attachment = message.attachments.get()
    assert attachment.content_type == "image/png"
    # The visitor sees it through a signed link; a wrong signature finds nothing
    event = session.visitor_event(
        {
            "type": "message",
            "op": "created",
            "id": 1,
            "message": {
                "id": message.pk,
                "author_kind": "customer",
                "attachments": [{"url": attachment.url, "name": "photo.png", "content_type": "image/png"}],
            },
        }
    )
    url = event["message"]["attachments"][0]["url"]
    shown = client.get(url)
    assert shown.status_code == 200
    assert b"".join(shown.streaming_content) == PNG
    assert client.get(url.rstrip("/") + "x/").status_code == 404


def test_widget_loader_and_frame_are_served(client):
    channel = ChannelFactory(key="shop-web")
    js = client.get("/widget.js")
    assert js.status_code == 200
    assert js["Content-Type"].startswith("application/javascript")
    assert js["Access-Control-Allow-Origin"] == "*"
    frame = client.get("/widget/shop-web/?lang=zh-TW")
    assert frame.status_code == 200
    assert "X-Frame-Options" not in frame
    assert "script-src 'self'" in frame["Content-Security-Policy"]
    assert "發送" in frame.content.decode() or "傳送" in frame.content.decode()
    assert client.get("/widget/nope/").status_code == 404
    assert channel.key == "shop-web"


def test_typing_and_read_receipts_reach_the_other_side(online_agent):
    from kefu.web.consumers import StreamConsumer

    channel = ChannelFactory()

    async def scenario():
        visitor = visitor_socket(channel.key)
        await hello(visitor)
        await visitor.send_json_to({"op": "send", "client_id": "t1", "text": "你好"})
        ack = await visitor.receive_json_from()
        await visitor.receive_until(lambda f: f["type"] == "caught_up")
        agent = Socket(StreamConsumer, path="/ws/streams/", user=online_agent)
        await agent.connect()
        await agent.send_json_to({"op": "subscribe", "stream": f"conversation:{ack['conversation']}"})
        await agent.receive_until(lambda f: f["type"] == "subscribed")
        # The visitor types: the agent is told
        await visitor.send_json_to({"op": "typing", "typing": True})
        typing, _ = await agent.receive_until(lambda f: f["type"] == "typing")
        # The agent reads the message: the visitor is told
        await agent.send_json_to({"op": "read", "conversation": ack["conversation"], "upto": ack["message"]})
        read, _ = await visitor.receive_until(lambda f: f["type"] == "read")
        # The agent types and replies over the socket
        await agent.send_json_to({"op": "typing", "conversation": ack["conversation"]})
        agent_typing, _ = await visitor.receive_until(lambda f: f["type"] == "typing")
        await agent.send_json_to(
            {"op": "send", "conversation": ack["conversation"], "client_id": "a1", "text": "您好，在的"}
        )
        agent_ack, _ = await agent.receive_until(lambda f: f["type"] == "ack")
        reply, _ = await visitor.receive_until(lambda f: f["type"] == "message")
        await visitor.disconnect()
        await agent.disconnect()
        return ack, typing, read, agent_typing, agent_ack, reply

    ack, typing, read, agent_typing, agent_ack, reply = async_to_sync(scenario)()
    assert typing == {
        "type": "typing",
        "side": "visitor",
        "typing": True,
        "stream": f"conversation:{ack['conversation']}",
    }
    assert read["upto"] == ack["message"]
    assert Conversation.objects.get(pk=ack["conversation"]).agent_read_upto == ack["message"]
    assert agent_typing["name"] == "小王"
    assert reply["message"]["text"] == "您好，在的"
    assert reply["message"]["id"] == agent_ack["message"]


def test_prechat_form_names_the_visitor_and_a_known_phone_finds_the_returning_customer(online_agent):
    from tests.factories import CustomerFactory, IdentityFactory

    channel = ChannelFactory(prechat_form=True)
    known = CustomerFactory(name="高洁")
    IdentityFactory(customer=known, kind="phone", value="13912345678")

    async def scenario():
        ws = visitor_socket(channel.key)
        welcome = await hello(ws)
        await ws.send_json_to({"op": "prechat", "name": "", "phone": ""})
        empty = await ws.receive_json_from()
        await ws.send_json_to({"op": "prechat", "name": "高小姐", "phone": "139-1234-5678"})
        done = await ws.receive_json_from()
        await ws.send_json_to({"op": "send", "client_id": "p1", "text": "上次的订单"})
        ack = await ws.receive_json_from()
        await ws.disconnect()
        return welcome, empty, done, ack

    welcome, empty, done, ack = async_to_sync(scenario)()
    assert welcome["channel"]["prechat"] is True
    assert empty["type"] == "error"
    assert done == {"type": "prechat", "ok": True}
    # the phone number recognised the customer from before: same file, visitor id attached
    conversation = Conversation.objects.get(pk=ack["conversation"])
    assert conversation.customer == known
    assert known.identities.filter(kind="visitor").exists()
