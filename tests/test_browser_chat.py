"""Live chat in real browsers: a customer's page embeds the widget, a visitor writes, the
agent sees it live, greets with a canned reply, the visitor sees the answer; timers show;
hostile HTML never runs on the agent's screen.

Screenshots of both sides land in test-artifacts/browser/chat-*.png (gitignored).
"""

from __future__ import annotations

import http.server
import re
import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tests.browser_support import CHROMIUM, DESKTOP, PHONE, Tab, chromium, demo_company, log_in, serve_asgi

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not found: apt-get install chromium"),
]

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

QUESTION = "你好，我想问一下退货"
XSS = [
    '<img src=x onerror="window.__xss=1;alert(1)">',
    "<script>window.__xss=2;alert(2)</script>",
    '<a href="javascript:window.__xss=3">点我</a><svg onload="window.__xss=4">',
]


@contextmanager
def customer_site(kefu_url: str) -> Iterator[str]:
    """A stranger's shop page on another origin that embeds the widget with one line."""
    page = (
        "<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'><title>瑞光极远官网</title></head>"
        "<body style='font-family:sans-serif'><h1>瑞光极远 · 光模块</h1><p>欢迎选购。</p>"
        f"<script src='{kefu_url}/widget.js' data-channel='ruiguang-web' async></script></body></html>"
    ).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: object) -> None:
            pass

    server = socketserver.TCPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/shop.html"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def live_url(transactional_db, settings):
    from kefu.config.asgi import application

    demo_company(settings)  # routes the web chat to the demo agent (the supervisor takes no chats)
    with serve_asgi(application) as url:
        yield url


@pytest.fixture
def browser(live_url):
    with chromium() as b:
        yield b


def open_widget(tab: Tab, site: str):
    page = tab.page
    page.goto(site)
    button = page.locator(".kefu-w-btn")
    expect(button).to_contain_text("在线客服")
    button.click()
    frame = page.frame_locator("iframe.kefu-w-frame")
    expect(frame.locator("#composer")).to_be_visible()
    expect(frame.locator("#status")).to_be_empty()  # connected
    return frame


def test_visitor_and_agent_chat_live_with_canned_greeting_and_timers(browser, live_url):
    agent = Tab.open(browser, "chat-agent", DESKTOP, live_url)
    visitor = Tab.open(browser, "chat-visitor", DESKTOP, live_url)
    log_in(agent)
    agent.page.goto("/inbox/?view=mine")
    expect(agent.page.locator("#live-dot")).to_be_visible()

    with customer_site(live_url) as site:
        frame = open_widget(visitor, site)
        expect(frame.locator(".msg.welcome")).to_contain_text("欢迎咨询瑞光极远")
        visitor.shot("widget-open")

        # The visitor asks about a return.
        frame.locator("#text").fill(QUESTION)
        frame.locator("#text").press("Enter")
        expect(frame.locator(".msg.customer .state").last).to_have_text(re.compile("已发送|已读"))
        # The agent sees it without reloading, within a second of the acknowledgement.
        row = agent.page.locator("table.inbox tr", has_text=QUESTION[:10])
        expect(row).to_be_visible(timeout=1000)
        expect(agent.page.locator("#inbox-badge")).to_be_visible()
        agent.shot("inbox-live")

        row.get_by_role("link").first.click()
        agent.page.wait_for_url(re.compile(r"/conversations/\d+/$"))
        page = agent.page
        expect(page.locator("#messages")).to_contain_text(QUESTION)
        # One timer runs: greet within 15 s (R5); answer within 20 s (R6) takes over once greeted — two timers
        # counting the same wait on a new chat was a defect (issue 15).
        greet = page.locator('.sla-timer[data-kind="greet"]')
        reply = page.locator('.sla-timer[data-kind="reply"]')
        expect(greet).to_be_visible()
        expect(reply).to_be_hidden()
        expect(greet.locator("b")).to_have_text(re.compile(r"^0:\d\d$"))
        agent.shot("conversation-timers")

        # Greet with a canned reply: "/" opens the picker, the shortcut narrows it, Enter inserts.
        text = page.locator("#composer textarea")
        text.click()
        text.type("/hy1")
        popup = page.locator("#canned-popup")
        expect(popup).to_be_visible()
        expect(popup.locator(".canned-item").first).to_contain_text("欢迎咨询")
        agent.shot("canned-picker")
        text.press("Enter")
        greeting = text.input_value()
        assert "瑞光极远" in greeting
        assert "{店铺名}" not in greeting
        assert "{客服名}" not in greeting
        text.press("End")
        text.press("Enter")
        expect(page.locator("#messages .msg.agent").last).to_contain_text("欢迎咨询瑞光极远")
        expect(text).to_have_value("")
        # Answered: both timers stop.
        expect(greet).to_be_hidden()
        expect(reply).to_be_hidden()

        # The visitor sees the greeting, the agent's name, and the agent sees it was read.
        expect(frame.locator(".msg.agent").last).to_contain_text("欢迎咨询瑞光极远")
        expect(frame.locator("#agent")).to_contain_text("客服")
        visitor.shot("widget-greeted")
        expect(page.locator("#messages .msg.agent .state").last).to_have_text("已读")
        agent.shot("conversation-greeted")

        # The visitor types: the agent sees it.
        frame.locator("#text").type("好的")
        expect(page.locator("#typing")).to_be_visible()

    assert agent.errors == []
    assert visitor.errors == []
    agent.close()
    visitor.close()


def test_hostile_html_from_a_visitor_never_runs_in_the_agents_browser(browser, live_url):
    agent = Tab.open(browser, "chat-xss-agent", DESKTOP, live_url)
    visitor = Tab.open(browser, "chat-xss-visitor", PHONE, live_url)
    dialogs: list[str] = []
    agent.page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    visitor.page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    log_in(agent)

    with customer_site(live_url) as site:
        frame = open_widget(visitor, site)
        frame.locator("#text").fill("第一条：" + XSS[0])
        frame.locator("#text").press("Enter")
        expect(frame.locator(".msg.customer .state").last).to_have_text(re.compile("已发送|已读"))

        agent.page.goto("/inbox/?view=mine")
        agent.page.locator("table.inbox tr", has_text="第一条").get_by_role("link").first.click()
        page = agent.page
        page.wait_for_url(re.compile(r"/conversations/\d+/$"))
        # The rest arrive while the agent is looking (the live path, not the page render).
        for payload in XSS[1:]:
            frame.locator("#text").fill(payload)
            frame.locator("#text").press("Enter")
        for payload in XSS:
            expect(page.locator("#messages")).to_contain_text(payload)
        visitor.shot("phone-after-xss")
        agent.shot("after-xss")
        # Shown as text on both sides; nothing ran.
        assert page.evaluate("() => window.__xss") is None
        assert page.locator("#messages img[src='x'], #messages script, #messages svg[onload]").count() == 0
        assert visitor.page.frames[1].evaluate("() => window.__xss") is None
        # After a reload (the server-rendered path) still nothing runs.
        page.reload()
        expect(page.locator("#messages")).to_contain_text(XSS[0])
        assert page.evaluate("() => window.__xss") is None

    assert dialogs == []
    agent.close()
    visitor.close()


def test_a_ringing_phone_pops_the_callers_file(browser, live_url):
    import json
    import urllib.request

    from kefu.intake.webhooks import sign

    def call_event(event: str, key: str) -> None:
        raw = json.dumps({"event": event, "call_id": "pbx-1", "number": "13800138000", "direction": "in"}).encode()
        request = urllib.request.Request(  # noqa: S310 - the test server on loopback
            f"{live_url}/api/v1/calls/events",
            data=raw,
            headers={
                "Content-Type": "application/json",
                "X-Kefu-Channel": "hotline",
                "X-Kefu-Signature": sign("demo-secret-hotline-change-me", raw),
                "Idempotency-Key": key,
            },
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            assert response.status == 200

    agent = Tab.open(browser, "chat-call", DESKTOP, live_url)
    log_in(agent, "aftersales")
    expect(agent.page.locator("#live-dot")).to_be_visible()
    agent.page.wait_for_timeout(300)  # the socket is subscribed
    call_event("ringing", "r1")
    pop = agent.page.locator(".call-pop")
    expect(pop).to_be_visible()
    expect(pop).to_contain_text("张伟")
    agent.shot("ringing")
    pop.get_by_role("link").click()
    agent.page.wait_for_url(re.compile(r"/calls/\d+/$"))
    expect(agent.page.locator("main")).to_contain_text("13800138000")
    agent.shot("call-page")
    assert agent.errors == []
    agent.close()
