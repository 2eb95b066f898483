"""The agent's cockpit in a real Chromium (issue 15): switching among three visitor chats without a page
load (a draft survives), an angry message in the open chat showing "soothe first" and the raised
priority live, a message in another chat moving its row up with an unread mark, and the 390 px flow
one pane at a time.

Customer messages and their analysis are written on the server's own event loop (``on_server``), as the
widget's socket and the worker's relayed doorbells would: the events reach the agent's socket the way
they do in production."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from typing import Any

import pytest
from asgiref.sync import sync_to_async

from tests.browser_support import CHROMIUM, DESKTOP, PHONE, Tab, chromium, demo_company, log_in, serve_asgi

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not found: apt-get install chromium"),
]
sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

NAMES = ("陈先生", "林女士", "黄先生")


class LoopCatcher:
    """The ASGI app, remembering the server's event loop on its first request."""

    def __init__(self, app: Any) -> None:
        self.app, self.loop = app, None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if self.loop is None:
            self.loop = asyncio.get_running_loop()
        await self.app(scope, receive, send)


@pytest.fixture
def server(transactional_db, settings):
    from kefu.accounts.models import User
    from kefu.config.asgi import application
    from kefu.conversations.actions import do_assign, do_post_message, do_start_conversation
    from kefu.conversations.models import Channel
    from kefu.core import clock
    from kefu.customers.actions import do_create_customer

    demo_company(settings)
    agent = User.objects.get(username="agent")
    channel = Channel.objects.get(key="ruiguang-web")
    start = clock.now() - timedelta(minutes=10)
    chats = []
    for i, name in enumerate(NAMES):  # three visitor chats, each answered: nobody waits yet
        at = start + timedelta(minutes=i)
        customer = do_create_customer(now=at, name=name)
        c = do_start_conversation(channel, customer, now=at)
        do_post_message(c, author_kind="customer", text=f"{name}：请问光模块有货吗", now=at)
        do_assign(c, assignee=agent, team=None, actor=None, now=at)
        m, _ = do_post_message(c, author_kind="agent", author=agent, text="您好，有货的", now=at + timedelta(seconds=5))
        type(c).objects.filter(pk=c.pk).update(agent_read_upto=m.pk)
        chats.append(c.pk)
    app = LoopCatcher(application)
    with serve_asgi(app) as url:
        yield {"url": url, "app": app, "chats": chats}


@pytest.fixture
def browser(server):
    with chromium() as b:
        yield b


def on_server(server: dict[str, Any], fn: Any) -> Any:
    """Run ``fn`` (sync, ORM) on a thread of the server's event loop, as a request would."""
    loop = server["app"].loop
    assert loop is not None, "the server has not served a request yet"
    return asyncio.run_coroutine_threadsafe(sync_to_async(fn, thread_sensitive=False)(), loop).result(timeout=60)


def customer_says(server: dict[str, Any], pk: int, text: str, *, analyse: bool = False) -> None:
    def write() -> None:
        from kefu.conversations.actions import do_post_message
        from kefu.conversations.models import Conversation
        from kefu.core import clock

        do_post_message(Conversation.objects.get(pk=pk), author_kind="customer", text=text, now=clock.now())
        if analyse:  # what the worker does next: store the analysis once, raise the priority, ring
            from kefu.assist.actions import drain_pending

            drain_pending()

    on_server(server, write)


def open_cockpit(tab: Tab) -> list[str]:
    """Sign in, open /, and count full page loads from here on."""
    log_in(tab)
    tab.page.goto("/")
    expect(tab.page.locator("#pane-list .crow").first).to_be_visible()
    loads: list[str] = []
    tab.page.on("load", lambda: loads.append(tab.page.url))
    tab.page.evaluate("window.__sameDocument = true")
    tab.page.wait_for_timeout(300)  # the socket is open and subscribed
    return loads


def row(tab: Tab, pk: int) -> Any:
    return tab.page.locator(f'#pane-list .crow[data-conversation="{pk}"]')


def thread(tab: Tab, pk: int) -> Any:
    return tab.page.locator(f'#pane-thread section.thread[data-conversation="{pk}"]')


def test_switching_three_chats_without_a_page_load_keeps_each_draft(browser, server):
    a, b, _c = server["chats"]
    tab = Tab.open(browser, "cockpit-switch", DESKTOP, server["url"])
    loads = open_cockpit(tab)
    page = tab.page
    row(tab, a).click()
    expect(thread(tab, a)).to_be_visible()
    page.locator("#pane-thread textarea").fill("陈先生的草稿：订单号稍后补")
    row(tab, b).click()
    expect(thread(tab, b)).to_be_visible()
    expect(thread(tab, a)).to_have_count(0)  # one thread on screen
    expect(page.locator("#pane-thread textarea")).to_have_value("")
    page.keyboard.press("Alt+ArrowDown")  # the next chat in the list
    expect(page.locator("#pane-thread section.thread")).to_have_count(1)
    row(tab, a).click()
    expect(thread(tab, a)).to_be_visible()
    expect(page.locator("#pane-thread textarea")).to_have_value("陈先生的草稿：订单号稍后补")
    expect(page.locator("#pane-side .customer-card")).to_contain_text("陈先生")
    assert re.search(rf"/\?c={a}$", page.url)
    # the shortcuts overlay opens with ? and closes with Esc
    page.locator("#pane-list h2").first.click()
    page.keyboard.press("?")
    expect(page.locator("#shortcuts")).to_be_visible()
    tab.shot("shortcuts")
    page.keyboard.press("Escape")
    expect(page.locator("#shortcuts")).to_be_hidden()
    assert loads == []
    assert page.evaluate("window.__sameDocument") is True
    tab.shot("cockpit-1366")
    assert tab.horizontal_overflow() == 0
    assert tab.errors == []
    tab.close()


def test_an_angry_message_shows_soothe_first_and_the_raised_priority_live(browser, server):
    a = server["chats"][0]
    # the agent's browser runs in another time zone: times still read in KEFU_TIME_ZONE (Asia/Shanghai)
    context = browser.new_context(
        viewport=DESKTOP, base_url=server["url"], locale="zh-CN", timezone_id="America/New_York"
    )
    context.set_default_timeout(10_000)
    tab = Tab(page=context.new_page(), name="cockpit-angry")
    tab.page.on("pageerror", lambda exc: tab.errors.append(f"pageerror: {exc}"))
    loads = open_cockpit(tab)
    page = tab.page
    row(tab, a).click()
    expect(thread(tab, a)).to_be_visible()
    expect(page.locator("#assist-soothe")).to_have_count(0)
    expect(page.locator(".threadhead .prio")).to_have_text("普通")
    customer_says(server, a, "等了一周还没发货！你们就是骗子，我要投诉到12315！！", analyse=True)
    expect(page.locator("#pane-side #assist-soothe")).to_be_visible(timeout=5000)
    expect(page.locator(".threadhead .prio")).not_to_have_text("普通")
    last = page.locator("#pane-thread li.msg.customer").last
    expect(last).to_contain_text("骗子")

    def shanghai_time() -> str:
        from zoneinfo import ZoneInfo

        from kefu.conversations.models import Message

        m = Message.objects.filter(conversation_id=a, author_kind="customer").order_by("-id").first()
        return m.created_at.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%m-%d %H:%M:%S")

    expect(last.locator(".meta")).to_contain_text(on_server(server, shanghai_time))
    assert loads == []
    assert page.evaluate("window.__sameDocument") is True
    tab.shot("angry")
    assert tab.errors == []
    context.close()


def test_a_message_in_another_chat_moves_its_row_up_with_an_unread_mark(browser, server):
    a, _b, c = server["chats"]
    tab = Tab.open(browser, "cockpit-bump", DESKTOP, server["url"])
    loads = open_cockpit(tab)
    page = tab.page
    row(tab, a).click()
    expect(thread(tab, a)).to_be_visible()
    mine = page.locator('#pane-list ol[data-section="mine"] .crow')
    first_before = mine.first.get_attribute("data-conversation")
    assert first_before != str(c)

    def unread_in_title() -> int:
        found = re.match(r"^\((\d+)\) ", page.title())
        return int(found.group(1)) if found else 0

    before = unread_in_title()  # the demo's other chats of this agent may have unread messages
    customer_says(server, c, "还在吗？我急着要")
    expect(mine.first).to_have_attribute("data-conversation", str(c))
    expect(mine.first).to_have_class(re.compile(r"\bbumped\b"))
    expect(mine.first.locator(".count")).to_have_text("1")
    expect(mine.first.locator(".preview")).to_contain_text("我急着要")
    expect(page).to_have_title(re.compile(rf"^\({before + 1}\) "))
    # opening it clears the mark, and the title counts one message less
    mine.first.click()
    expect(thread(tab, c)).to_be_visible()
    expect(mine.first).not_to_have_class(re.compile(r"\bbumped\b"))
    assert unread_in_title() == before
    assert loads == []
    tab.shot("bumped")
    assert tab.errors == []
    tab.close()


def test_the_phone_shows_one_pane_at_a_time(browser, server):
    a = server["chats"][0]
    tab = Tab.open(browser, "cockpit-390", PHONE, server["url"])
    open_cockpit(tab)
    page = tab.page
    lst, thr, side = page.locator("#pane-list"), page.locator("#pane-thread"), page.locator("#pane-side")
    expect(lst).to_be_visible()
    expect(thr).to_be_hidden()
    expect(side).to_be_hidden()
    tab.shot("list-390")
    row(tab, a).click()
    expect(thr).to_be_visible()
    expect(lst).to_be_hidden()
    tab.shot("thread-390")
    page.locator("#pane-thread .pane-customer").click()
    expect(side).to_be_visible()
    expect(thr).to_be_hidden()
    tab.shot("customer-390")
    page.locator("#pane-side .pane-back").click()
    expect(thr).to_be_visible()
    page.locator("#pane-thread .back").click()
    expect(lst).to_be_visible()
    expect(thr).to_be_hidden()
    assert tab.horizontal_overflow() == 0, tab.overflowing_elements()
    assert tab.errors == []
    tab.close()
