"""WeChat Official Account adapter against the local simulator (tests/wechat_sim.py): callback
verification, plain and safe-mode (AES) messages, every message type, MsgId deduplication, replies
through custom/send, the 48 h window (45015) and the shared access token."""

from __future__ import annotations

import base64
import threading
import time
from datetime import timedelta

import pytest

from kefu.conversations.choices import AuthorKind, ChannelKind
from kefu.conversations.models import Attachment, Conversation, Message
from kefu.core import clock
from kefu.customers.models import CustomerIdentity
from kefu.intake.wechat_mp import client as wx_client
from kefu.intake.wechat_mp.actions import do_receive
from kefu.intake.wechat_mp.models import WechatAccount, WechatDelivery, WechatFollower, WechatReceipt
from kefu.intake.wechat_mp.outbound import push_wechat_message
from tests.factories import ChannelFactory
from tests.factories_integrations import WechatAccountFactory
from tests.wechat_sim import WechatSim, aes_decrypt, aes_encrypt, signature

APP_ID = "wx1234567890abcdef"
SECRET = "s3cret-app-secret"
TOKEN = "callbacktoken"
AES_KEY = base64.b64encode(bytes(range(32))).decode().rstrip("=")  # 43 characters, as the admin shows
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
URL = "/hooks/wechat/wx-shop/"


@pytest.fixture
def sim():
    with WechatSim(APP_ID, SECRET) as s:
        yield s


@pytest.fixture
def account(db, sim):
    channel = ChannelFactory(key="wx-shop", kind=ChannelKind.SOCIAL, name="公众号")
    return WechatAccountFactory(
        channel=channel, app_id=APP_ID, app_secret=SECRET, token=TOKEN, aes_key=AES_KEY, api_base=sim.url
    )


def signed(extra: str = "", *, ts: int | None = None, nonce: str = "n0nce", token: str = TOKEN) -> str:
    ts = int(time.time()) if ts is None else ts
    return f"{URL}?timestamp={ts}&nonce={nonce}&signature={signature(token, str(ts), nonce)}{extra}"


def xml(msg_type: str, msg_id: str | None = "1001", openid: str = "oUser1", **fields: str) -> str:
    parts = [
        f"<ToUserName><![CDATA[gh_shop]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>",
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[{msg_type}]]></MsgType>",
        *(f"<{k}><![CDATA[{v}]]></{k}>" for k, v in fields.items()),
        f"<MsgId>{msg_id}</MsgId>" if msg_id else "",
    ]
    return "<xml>" + "".join(parts) + "</xml>"


def post_plain(client, body: str, **kw):
    return client.post(signed(), data=body.encode(), content_type="text/xml", **kw)


def post_aes(client, body: str):
    ts, nonce = str(int(time.time())), "aesnonce"
    encrypted = aes_encrypt(AES_KEY, APP_ID, body)
    outer = f"<xml><ToUserName><![CDATA[gh_shop]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
    url = (
        f"{URL}?timestamp={ts}&nonce={nonce}&signature={signature(TOKEN, ts, nonce)}"
        f"&encrypt_type=aes&msg_signature={signature(TOKEN, ts, nonce, encrypted)}"
    )
    return client.post(url, data=outer.encode(), content_type="text/xml")


def test_secrets_are_encrypted_at_rest(account):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT app_secret, aes_key, token FROM wechat_mp_wechataccount")
        row = cursor.fetchone()
    assert all(value.startswith("kefu-enc:") for value in row)
    assert SECRET not in "".join(row)
    assert AES_KEY not in "".join(row)
    assert WechatAccount.objects.get().app_secret == SECRET


def test_url_verification(client, account):
    assert client.get(signed("&echostr=hello123")).content == b"hello123"
    bad = client.get(signed("&echostr=x", token="wrong"))
    assert bad.status_code == 403
    assert bad.json()["error"] == "forbidden"
    old = client.get(signed("&echostr=x", ts=int(time.time()) - 600))
    assert old.status_code == 403
    assert client.get("/hooks/wechat/nope/?timestamp=1&nonce=a&signature=b").status_code == 404


def test_plain_text_message_becomes_a_conversation(client, account, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_plain(client, xml("text", Content="我的订单还没发货"))
    assert response.status_code == 200
    assert response.content == b"success"
    message = Message.objects.get()
    assert message.text == "我的订单还没发货"
    assert message.author_kind == AuthorKind.CUSTOMER
    assert message.conversation.channel.key == "wx-shop"
    identity = CustomerIdentity.objects.get(customer=message.conversation.customer)
    assert identity.value == f"wechat_mp:{APP_ID}:oUser1"
    assert WechatFollower.objects.get().openid == "oUser1"


def test_safe_mode_message_is_decrypted(client, account, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_aes(client, xml("text", Content="加密模式你好"))
    assert response.status_code == 200, response.content
    assert Message.objects.get().text == "加密模式你好"


def test_safe_mode_wrong_msg_signature_or_key_is_refused(client, account):
    ts, nonce = str(int(time.time())), "x"
    encrypted = aes_encrypt(AES_KEY, APP_ID, xml("text", Content="hi"))
    outer = f"<xml><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
    url = f"{URL}?timestamp={ts}&nonce={nonce}&signature={signature(TOKEN, ts, nonce)}&encrypt_type=aes"
    assert client.post(url + "&msg_signature=bad", data=outer, content_type="text/xml").status_code == 403
    other = aes_encrypt(base64.b64encode(bytes(32)).decode().rstrip("="), APP_ID, xml("text", Content="hi"))
    outer2 = f"<xml><Encrypt><![CDATA[{other}]]></Encrypt></xml>"
    response = client.post(
        url + f"&msg_signature={signature(TOKEN, ts, nonce, other)}", data=outer2, content_type="text/xml"
    )
    assert response.status_code in (400, 403)
    assert not Message.objects.exists()
    assert not WechatReceipt.objects.exists()


def test_the_simulators_aes_round_trips_with_wechatpy():
    from wechatpy.crypto import WeChatCrypto

    crypto = WeChatCrypto(TOKEN, AES_KEY, APP_ID)
    sealed = crypto.encrypt_message("<xml><A>回复</A></xml>", "nonce", "1700000000")
    from kefu.intake.wechat_mp.views import parse_xml

    encrypted = parse_xml(sealed)["Encrypt"]
    assert aes_decrypt(AES_KEY, encrypted) == ("<xml><A>回复</A></xml>", APP_ID)


def test_duplicate_msgid_is_stored_once(client, account, django_capture_on_commit_callbacks):
    body = xml("text", msg_id="777", Content="重复")
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):  # the platform's three retries
            assert post_plain(client, body).content == b"success"
    assert Message.objects.filter(text="重复").count() == 1
    assert WechatReceipt.objects.count() == 1


def test_a_callback_whose_job_never_ran_is_stored_by_the_sweeper_once(
    client, account, django_capture_on_commit_callbacks
):
    from kefu.intake.wechat_mp.tasks import redeliver

    # Given a callback answered "success" whose ingest job never ran (the process died after the
    # receipt's commit: the on-commit callbacks are captured and thrown away),
    body = xml("text", msg_id="888", Content="我的快递到哪了")
    with django_capture_on_commit_callbacks(execute=False):
        assert post_plain(client, body).content == b"success"
    assert Message.objects.count() == 0
    receipt = WechatReceipt.objects.get()
    assert receipt.done_at is None
    assert receipt.payload["Content"] == "我的快递到哪了"
    # the sweeper leaves it alone while the job may still come (under two minutes),
    assert redeliver(clock.now()) == 0
    assert Message.objects.count() == 0
    # and stores it once after that; a second sweep, a platform retry and the late job store nothing more.
    later = clock.now() + timedelta(minutes=3)
    with django_capture_on_commit_callbacks(execute=True):
        assert redeliver(later) == 1
        assert redeliver(later) == 0
        post_plain(client, body)
        assert do_receive(account, dict(receipt.payload), now=later) is None
    assert list(Message.objects.values_list("text", flat=True)) == ["我的快递到哪了"]
    receipt.refresh_from_db()
    assert receipt.done_at is not None
    assert receipt.message_id == Message.objects.get().pk
    assert receipt.payload == {}  # the raw fields are not kept once stored


def test_a_receipt_that_is_no_customer_message_is_done_without_a_message(
    client, account, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post_plain(client, xml("event", msg_id=None, openid="oUser9", Event="unsubscribe"))
    receipt = WechatReceipt.objects.get()
    assert receipt.done_at is not None
    assert receipt.message_id is None
    from kefu.intake.wechat_mp.tasks import redeliver

    assert redeliver(clock.now() + timedelta(minutes=3)) == 0


@pytest.mark.parametrize(
    ("kind", "fields", "expected"),
    [
        (
            "location",
            {"Location_X": "31.23", "Location_Y": "121.47", "Label": "上海市"},
            "[位置] 上海市（31.23, 121.47）",
        ),  # stored in the deployment language, zh-Hans
        ("link", {"Title": "商品页", "Url": "https://shop.example/p/1"}, "商品页 https://shop.example/p/1"),
    ],
)
def test_location_and_link(client, account, django_capture_on_commit_callbacks, kind, fields, expected):
    with django_capture_on_commit_callbacks(execute=True):
        post_plain(client, xml(kind, **fields))
    assert expected in Message.objects.get().text


def test_image_is_fetched_and_stored_as_attachment(client, account, sim, django_capture_on_commit_callbacks):
    sim.media["MEDIA1"] = ("image/png", PNG)
    with django_capture_on_commit_callbacks(execute=True):
        post_plain(client, xml("image", PicUrl="http://mmbiz/x", MediaId="MEDIA1"))
    attachment = Attachment.objects.get()
    assert attachment.content_type == "image/png"
    assert attachment.size == len(PNG)
    with attachment.file.open("rb") as stored:
        assert stored.read() == PNG
    assert sim.token_requests == 1


def test_voice_keeps_the_recognition_text_and_missing_media_is_noted(client, account, sim, monkeypatch):
    monkeypatch.setattr("kefu.intake.wechat_mp.actions.time.sleep", lambda s: None)
    msg = {"MsgType": "voice", "FromUserName": "oUser2", "MediaId": "GONE", "Recognition": "我要退货", "MsgId": "9"}
    do_receive(account, msg, now=clock.now())
    text = Message.objects.get().text
    assert "我要退货" in text
    assert "could not be fetched" in text


def test_video_and_events(client, account, sim, django_capture_on_commit_callbacks):
    sim.media["V1"] = ("video/mp4", b"\x00\x00\x00\x18ftypmp42" + bytes(100))
    with django_capture_on_commit_callbacks(execute=True):
        post_plain(client, xml("video", msg_id="1", MediaId="V1", ThumbMediaId="T"))
        post_plain(client, xml("event", msg_id=None, Event="subscribe", EventKey="qrscene_123"))
        post_plain(client, xml("event", msg_id=None, openid="oUser3", Event="CLICK", EventKey="MENU_ORDERS"))
        post_plain(client, xml("event", msg_id=None, openid="oUser4", Event="SCAN", EventKey="456"))
        post_plain(client, xml("event", msg_id=None, openid="oUser5", Event="unsubscribe"))
    texts = list(Message.objects.order_by("id").values_list("text", flat=True))
    assert texts[0].startswith("[视频]")
    assert "[关注了公众号] 123" in texts
    assert "[点击菜单] MENU_ORDERS" in texts
    assert "[扫描二维码] 456" in texts
    assert len(texts) == 4  # unfollowing is not a customer message
    assert Conversation.objects.count() == 3


@pytest.mark.parametrize(
    "body",
    [
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
        "<xml><MsgType>text</MsgType><FromUserName>o</FromUserName><Content>&b;</Content></xml>",
        '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><Content>&e;</Content></xml>',
        "<xml><MsgType>text</MsgType><unclosed></xml>",
        "not xml at all",
        "<other><MsgType>text</MsgType></other>",
        "",
    ],
)
def test_hostile_or_malformed_xml_is_a_400(client, account, body):
    response = post_plain(client, body)
    assert response.status_code == 400
    assert set(response.json()) >= {"error", "message"}
    assert not Message.objects.exists()
    assert not WechatReceipt.objects.exists()


def test_wrong_signature_on_post_is_403_and_stores_nothing(client, account):
    response = client.post(signed(token="nope"), data=xml("text", Content="x"), content_type="text/xml")
    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"
    assert not WechatReceipt.objects.exists()


def _customer_writes(client, capture, openid="oUser1", text="在吗"):
    with capture(execute=True):
        post_plain(client, xml("text", msg_id=str(time.time_ns()), openid=openid, Content=text))
    return Conversation.objects.get(customer__identities__value=f"wechat_mp:{APP_ID}:{openid}")


def _agent_replies(conversation, text, capture):
    from kefu.conversations.actions import do_post_message
    from tests.factories import UserFactory

    agent = UserFactory(username=f"agent{time.time_ns()}")
    with capture(execute=True):
        message, _ = do_post_message(
            conversation, author_kind=AuthorKind.AGENT, author=agent, text=text, now=clock.now()
        )
    return message


def test_agent_reply_is_delivered_through_custom_send(client, account, sim, django_capture_on_commit_callbacks):
    sim.interact("oUser1")
    conversation = _customer_writes(client, django_capture_on_commit_callbacks)
    message = _agent_replies(conversation, "您好，已为您查询", django_capture_on_commit_callbacks)
    assert sim.sent == [{"touser": "oUser1", "msgtype": "text", "text": {"content": "您好，已为您查询"}}]
    delivery = WechatDelivery.objects.get(message=message)
    assert delivery.status == "sent"
    assert delivery.attempts == 1


def test_outside_48h_kefu_does_not_send_and_says_why(client, account, sim, django_capture_on_commit_callbacks):
    conversation = _customer_writes(client, django_capture_on_commit_callbacks)
    WechatFollower.objects.update(last_action_at=clock.now() - timedelta(hours=49))
    message = _agent_replies(conversation, "迟到的回复", django_capture_on_commit_callbacks)
    delivery = WechatDelivery.objects.get(message=message)
    assert delivery.status == "failed"
    assert delivery.errcode == 45015
    assert sim.sent == []
    assert sim.token_requests == 0
    note = Message.objects.filter(conversation=conversation, is_internal=True).get()
    assert "48 小时" in note.text
    assert "45015" in note.text


def test_platform_45015_is_final_and_shown_in_chinese(client, account, sim, django_capture_on_commit_callbacks):
    from django.utils import translation

    conversation = _customer_writes(client, django_capture_on_commit_callbacks)
    sim.interact("oUser1", time.time() - 49 * 3600)  # the platform's own record is older than kefu's
    with translation.override("zh-hans"):
        message = _agent_replies(conversation, "回复", django_capture_on_commit_callbacks)
    delivery = WechatDelivery.objects.get(message=message)
    assert (delivery.status, delivery.errcode, delivery.attempts) == ("failed", 45015, 1)
    push_wechat_message(message.pk)  # a late retry does nothing more
    assert WechatDelivery.objects.get(pk=delivery.pk).attempts == 1
    note = Message.objects.filter(conversation=conversation, is_internal=True).get()
    assert "48" in note.text
    assert "45015" in note.text


def test_transient_errors_are_retried_with_backoff(client, account, sim, django_capture_on_commit_callbacks):
    scheduled: list[tuple[tuple[int], int]] = []

    def schedule(args, delay):
        scheduled.append((args, delay))

    from kefu.intake.wechat_mp import outbound

    outbound.push_wechat_message._huey_task.schedule = schedule  # type: ignore[method-assign]
    try:
        sim.interact("oUser1")
        sim.fail_send[:] = [-1, 45009]  # system busy, then a rate limit
        conversation = _customer_writes(client, django_capture_on_commit_callbacks)
        message = _agent_replies(conversation, "重试", django_capture_on_commit_callbacks)
        assert WechatDelivery.objects.get(message=message).status == "retrying"
        push_wechat_message(message.pk)
        push_wechat_message(message.pk)
    finally:
        del outbound.push_wechat_message._huey_task.schedule
    assert [d for _a, d in scheduled] == [30, 60]
    delivery = WechatDelivery.objects.get(message=message)
    assert delivery.status == "sent"
    assert delivery.attempts == 3
    assert len(sim.sent) == 1


def test_expired_token_is_refreshed_and_an_invalid_one_replaced(account, sim):
    token = wx_client.access_token(account)
    assert wx_client.access_token(account) == token
    assert sim.token_requests == 1
    WechatAccount.objects.update(token_expires_at=clock.now() + timedelta(minutes=4))  # inside the margin
    assert wx_client.access_token(account) != token
    assert sim.token_requests == 2
    sim.tokens.clear()  # the platform forgot it (another system fetched a new one)
    sim.interact("oUser9")
    wx_client.send_custom(account, {"touser": "oUser9", "msgtype": "text", "text": {"content": "x"}})
    assert sim.token_requests == 3
    assert len(sim.sent) == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_senders_fetch_the_token_once():
    from django.db import connection, connections

    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(("file:memory", ":memory:")):
        pytest.skip("threads need a shared database file")
    with WechatSim(APP_ID, SECRET, token_delay=0.5) as sim:
        channel = ChannelFactory(key="wx-shop", kind=ChannelKind.SOCIAL)
        account = WechatAccountFactory(channel=channel, app_id=APP_ID, app_secret=SECRET, token=TOKEN, api_base=sim.url)
        sim.interact("oA")
        sim.interact("oB")
        barrier = threading.Barrier(2)
        errors: list[Exception] = []

        def sender(openid: str) -> None:
            try:
                barrier.wait()
                wx_client.send_custom(account, {"touser": openid, "msgtype": "text", "text": {"content": "hi"}})
            except Exception as exc:
                errors.append(exc)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=sender, args=(o,)) for o in ("oA", "oB")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert sim.token_requests == 1
        assert len(sim.sent) == 2
        assert WechatAccount.objects.get().token_fetches == 1


def test_admin_secrets_are_write_only_and_credentials_can_be_tested(client, account, sim):
    from django.urls import reverse

    from tests.factories import UserFactory

    client.force_login(UserFactory(username="wxadmin", is_staff=True, is_superuser=True))
    url = reverse("admin:wechat_mp_wechataccount_change", args=[account.pk])
    page = client.get(url).content.decode()
    assert SECRET not in page
    assert AES_KEY not in page
    assert TOKEN not in page
    assert "/hooks/wechat/wx-shop/" in page
    form = {"channel": account.channel_id, "app_id": APP_ID, "app_secret": "", "token": "", "aes_key": ""}
    form["api_base"] = sim.url
    response = client.post(url, form)
    assert response.status_code == 302
    account.refresh_from_db()
    assert (account.app_secret, account.token, account.aes_key) == (SECRET, TOKEN, AES_KEY)
    changelist = reverse("admin:wechat_mp_wechataccount_changelist")
    action = {"action": "test_credentials", "_selected_action": [account.pk]}
    assert client.post(changelist, action, follow=True).status_code == 200
    assert sim.token_requests == 1
    WechatAccount.objects.update(app_secret="wrong")
    page = client.post(changelist, action, follow=True).content.decode()
    assert "40125" in page


# The platform's published sample (WXBizMsgCrypt sample code of the WeChat docs): token, key, AppID,
# timestamp, nonce, msg_signature and ciphertext of one text message.
SAMPLE = {
    "token": "spamtest",
    "aes_key": "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
    "app_id": "wx2c2769f8efd9abc2",
    "timestamp": "1409735669",
    "nonce": "1320562132",
    "msg_signature": "5d197aaffba7e9b25a30732f161a50dee96bd5fa",
    "encrypt": (
        "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2Ld"
        "JF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5"
        "VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgC"
        "SUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9Ghg"
        "lF2PE="
    ),
}


def test_the_published_sample_vector_is_accepted(client, db, django_capture_on_commit_callbacks):
    import time_machine

    s = SAMPLE
    assert signature(s["token"], s["timestamp"], s["nonce"], s["encrypt"]) == s["msg_signature"]
    channel = ChannelFactory(key="wx-sample", kind=ChannelKind.SOCIAL)
    WechatAccountFactory(channel=channel, app_id=s["app_id"], app_secret="x", token=s["token"], aes_key=s["aes_key"])
    outer = (
        f"<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><Encrypt><![CDATA[{s['encrypt']}]]></Encrypt></xml>"
    )
    url = (
        f"/hooks/wechat/wx-sample/?timestamp={s['timestamp']}&nonce={s['nonce']}"
        f"&signature={signature(s['token'], s['timestamp'], s['nonce'])}"
        f"&encrypt_type=aes&msg_signature={s['msg_signature']}"
    )
    with time_machine.travel(int(s["timestamp"]) + 3, tick=False), django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data=outer, content_type="text/xml")
    assert response.content == b"success"
    message = Message.objects.get()
    assert message.text == "abcdteT"
    assert CustomerIdentity.objects.get(customer=message.conversation.customer).value == (
        f"wechat_mp:{s['app_id']}:oyORnuP8q7ou2gfYjqLzSIWZf0rs"
    )
    assert WechatReceipt.objects.get().key == "m:6054768590064713728"
    # Now (years later) the same signed request is a replay: refused, nothing more stored.
    assert client.post(url, data=outer, content_type="text/xml").status_code == 403


def test_after_a_merge_later_messages_and_replies_follow(client, account, sim, django_capture_on_commit_callbacks):
    from kefu.customers.actions import do_merge_customers
    from tests.factories import CustomerFactory

    sim.interact("oUser1")
    conversation = _customer_writes(client, django_capture_on_commit_callbacks)
    known = CustomerFactory(name="老客户")
    do_merge_customers(conversation.customer, known, actor=None, now=clock.now())
    conversation.refresh_from_db()
    assert conversation.customer_id == known.pk
    message = _agent_replies(conversation, "合并后回复", django_capture_on_commit_callbacks)
    assert WechatDelivery.objects.get(message=message).status == "sent"
    assert sim.sent[-1]["touser"] == "oUser1"
    with django_capture_on_commit_callbacks(execute=True):
        post_plain(client, xml("text", msg_id="5005", Content="又来了"))
    assert Message.objects.get(text="又来了").conversation.customer_id == known.pk


@pytest.mark.django_db(transaction=True)
def test_bench_platform_at_a_tiny_size_stores_each_message_once():
    import io
    import json

    from django.core.management import call_command

    out = io.StringIO()
    call_command("bench", "platform", "--callbacks", "40", "--users", "5", "--repeat", "2", stdout=out)
    result = json.loads(out.getvalue())
    assert result["exactly_once"] is True
    assert result["duplicates"] > 0
    assert result["wechat_messages_stored_per_second"] > 0
    assert result["bridge_messages_stored_per_second"] > 0
    assert not Message.objects.exists()  # rolled back
    assert not WechatAccount.objects.exists()
