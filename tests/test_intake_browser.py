"""The intake screens in a real browser: log a call by hand, the call page (screen pop), the
callback list and a mail's original — at laptop and phone width, without sideways scrolling.
Screenshots land in test-artifacts/browser/."""

from __future__ import annotations

import pytest

from tests.browser_support import CHROMIUM, DESKTOP, PHONE, Tab, chromium, log_in, serve_asgi

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not found: apt-get install chromium"),
]

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

GBK_MAIL = (
    (
        "From: =?gb2312?B?"
        + __import__("base64").b64encode("王芳".encode("gbk")).decode()
        + "?= <wangfang@example.cn>\r\nTo: support@kefu.example\r\nSubject: =?gb2312?B?"
        + __import__("base64").b64encode("打印机卡纸，换了纸盒也不行".encode("gbk")).decode()
        + "?=\r\nMessage-ID: <shot1@example.cn>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/alternative; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain; charset=gb2312\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
    ).encode()
    + (
        "您好，打印机一直卡纸，换了纸盒也不行。\r\n\r\n王芳\r\n\r\n"
        "在 2026年11月20日 10:00，客服中心 <support@kefu.example> 写道：\r\n> 请先检查纸盒是否装好。\r\n"
    ).encode("gbk")
    + (b"--b\r\nContent-Type: text/html; charset=gb2312\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
    + "<p>您好，打印机一直<b>卡纸</b>。</p><script>alert(1)</script>\r\n--b--\r\n".encode("gbk")
)


@pytest.fixture
def live(transactional_db, settings):
    from kefu import demo
    from kefu.config.asgi import application
    from kefu.core import clock
    from kefu.intake.choices import MailSource
    from kefu.intake.email.ingest import ingest
    from kefu.intake.models import MailMessage
    from kefu.intake.phone.actions import do_call_event
    from tests.factories import ChannelFactory

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo.load()
    result = ingest(GBK_MAIL, source=MailSource.CLI)
    mail = MailMessage.objects.get(message_id=result.message)
    hotline = ChannelFactory(kind="phone", key="hotline", name="400 热线", secret="x" * 20)
    missed = do_call_event(hotline, {"event": "ended", "call_id": "m1", "number": "13912345678"}, now=clock.now())
    with serve_asgi(application) as url:
        yield {"url": url, "mail": mail.pk, "missed": missed.pk}


@pytest.fixture
def browser(live):
    with chromium() as b:
        yield b


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["laptop", "phone"])
def test_intake_screens(live, browser, viewport):
    name = "intake-" + ("laptop" if viewport is DESKTOP else "phone")
    tab = Tab.open(browser, name, viewport, live["url"])
    log_in(tab)
    page = tab.page
    # the original of a GBK mail: decoded, quote separated, HTML sanitised in a sandbox
    page.goto(f"/mail/{live['mail']}/")
    expect(page.locator("h1")).to_have_text("打印机卡纸，换了纸盒也不行")
    expect(page.locator(".mail-original")).to_contain_text("王芳")
    page.locator("summary").first.click()
    tab.shot("mail-original")
    assert tab.horizontal_overflow() == 0, tab.overflowing_elements()
    # the callback list with the missed call
    page.goto("/calls/")
    expect(page.locator("body")).to_contain_text("13912345678")
    tab.shot("calls")
    assert tab.horizontal_overflow() == 0, tab.overflowing_elements()
    # logging a phone call by hand
    page.goto("/calls/new/")
    page.fill("#id_number", "13912345678")
    page.fill("#id_notes", "客户回电询问卡纸问题，已指导清理搓纸轮。")
    tab.shot("call-form")
    assert tab.horizontal_overflow() == 0, tab.overflowing_elements()
    page.click("form.contact-form button.primary")
    page.wait_for_url("**/calls/*/")
    expect(page.locator("body")).to_contain_text("已指导清理搓纸轮")
    tab.shot("call-page")
    assert tab.horizontal_overflow() == 0, tab.overflowing_elements()
    assert tab.wrapped_labels() == []
    assert tab.errors == []
