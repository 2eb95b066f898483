"""A real browser against the real ASGI app: an agent logs in, reads a conversation, opens
the customer and switches language; and every screen fits a phone without sideways scrolling.

Screenshots of each step land in test-artifacts/browser/ (gitignored).  Needs Debian's
/usr/bin/chromium (skipped without it); Playwright never downloads a browser here.
"""

from __future__ import annotations

import re

import pytest

from tests.browser_support import CHROMIUM, DESKTOP, PHONE, Tab, chromium, demo_company, has_cjk, log_in, serve_asgi

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not found: apt-get install chromium"),
]

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

GAO_MESSAGE = "你好，我想问一下退货"
REPLY = "高小姐您好，请问是哪一件商品需要退货？"


@pytest.fixture
def live_url(transactional_db, settings):
    """The demo company served by uvicorn on a free port (committed data, so the server thread sees it)."""
    from kefu.config.asgi import application

    demo_company(settings)
    with serve_asgi(application) as url:
        yield url


@pytest.fixture
def awkward_conversation(live_url):
    """What breaks layouts in real life: a long subject, a long e-mail address, a long unbroken URL.

    Request it before ``browser``: while Playwright's event loop is alive, Django refuses ORM calls
    from this thread (SynchronousOnlyOperation).
    """
    from kefu.accounts.models import User
    from kefu.conversations.actions import do_assign, do_post_message, do_start_conversation
    from kefu.conversations.models import Channel
    from kefu.core import clock
    from kefu.customers.actions import do_create_customer

    now = clock.now()
    customer = do_create_customer(
        now=now,
        name="欧阳·司马长名字测试客户",
        identities=[
            ("email", "procurement.department.long-address@shenzhen-very-long-company-name-optical.example.com")
        ],
    )
    conversation = do_start_conversation(
        Channel.objects.get(key="ruiguang-web"),
        customer,
        now=now,
        subject="关于QSFP28-100G-LR4光模块批量采购、兼容性测试、增值税专用发票开具以及分批发货安排的综合咨询",
    )
    do_post_message(
        conversation,
        author_kind="customer",
        now=now,
        text=(
            "订单截图在这里：https://shop.example.com/orders/detail?id=2026112400012345678901234567890&token="
            "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789 麻烦尽快处理，谢谢！"
        ),
    )
    do_assign(conversation, assignee=User.objects.get(username="agent"), team=None, actor=None, now=now)
    return conversation


@pytest.fixture
def browser(live_url):
    # Requests live_url so the browser is closed (and Playwright's event loop gone) before the
    # server stops and pytest-django flushes the database.
    with chromium() as b:
        yield b


def switch_language(tab: Tab, code: str, html_lang: str) -> None:
    tab.page.select_option("select[name=language]", code)  # submits on change, comes back to the same page
    expect(tab.page.locator("html")).to_have_attribute("lang", html_lang)
    tab.page.wait_for_load_state()


def test_agent_reads_conversation_opens_customer_and_switches_language(browser, live_url):
    tab = Tab.open(browser, "agent", DESKTOP, live_url)
    page = tab.page

    # Simplified Chinese by default, before anyone has chosen a language.
    log_in(tab, shot=True)
    assert tab.html_lang() == "zh-CN"
    nav = page.locator(".mainnav").inner_text()
    assert has_cjk(nav), f"zh-Hans nav shows no Chinese (is src/kefu/locale/zh_Hans compiled?): {nav!r}"
    inbox = page.locator("table.inbox")
    expect(inbox).to_contain_text("高小姐")
    expect(inbox).to_contain_text("退货咨询")
    tab.shot("inbox")

    # Open 高小姐's return question from the inbox.
    inbox.get_by_role("link", name="退货咨询").click()
    page.wait_for_url(re.compile(r"/conversations/\d+/$"))
    expect(page.locator("#messages").get_by_text(GAO_MESSAGE)).to_be_visible()
    expect(page.locator(".threadhead h1")).to_contain_text("高小姐")
    tab.shot("conversation")

    # Reply with Enter, as agents do; the reply lands in the thread.
    composer = page.locator("#composer")
    composer.locator("textarea").fill(REPLY)
    composer.locator("textarea").press("Enter")  # sent over the live socket, no page load
    expect(page.locator("#messages .msg.agent").last).to_contain_text(REPLY)
    expect(composer.locator("textarea")).to_have_value("")

    # Ticking "internal note" turns the composer yellow, so a note never looks like a reply.
    white = composer.evaluate("e => getComputedStyle(e).backgroundColor")
    composer.locator("input[name=internal]").check()
    assert composer.evaluate("e => getComputedStyle(e).backgroundColor") != white
    tab.shot("conversation-replied-note-mode")

    # The customer card on the side leads to the customer page.
    page.locator(".customer-card h3 a").click()
    page.wait_for_url(re.compile(r"/customers/\d+/$"))
    expect(page.locator(".threadhead h1")).to_contain_text("高洁")
    expect(page.locator("main")).to_contain_text("13912345678")
    tab.shot("customer")

    # Traditional Chinese, then English, from the language selector in the top bar.
    switch_language(tab, "zh-hant", "zh-TW")
    assert re.search(r"/customers/\d+/$", page.url)
    expect(page.locator(".threadhead h1")).to_contain_text("高洁")
    tab.shot("customer-zh-hant")

    switch_language(tab, "en", "en")
    expect(page.locator(".mainnav")).to_contain_text("Inbox")
    expect(page.locator(".threadhead h1")).to_contain_text("高洁")  # customer data stays Chinese
    tab.shot("customer-en")

    # The choice sticks: the next page is English too.
    page.locator('.mainnav a[href="/inbox/"]').click()  # the agent's first link is the workspace (/)
    page.wait_for_url("**/inbox/")
    assert tab.html_lang() == "en"
    expect(page.locator(".mainnav a.active")).to_have_text(re.compile(r"^Inbox( \d+)?$"))
    tab.shot("inbox-en")

    assert tab.errors == []
    tab.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_every_screen_renders_without_sideways_scrolling(awkward_conversation, browser, live_url, viewport):
    name = "desktop" if viewport is DESKTOP else "phone"
    tab = Tab.open(browser, name, viewport, live_url)
    page = tab.page
    overflow: dict[str, list[str]] = {}
    wrapped: dict[str, list[str]] = {}

    def check(label: str) -> None:
        page.wait_for_load_state()
        if tab.horizontal_overflow() > 1:
            overflow[label] = tab.overflowing_elements()
        if labels := tab.wrapped_labels():
            wrapped[label] = labels
        tab.shot(label)

    log_in(tab)
    for view in ("mine", "unassigned", "teams", "all"):
        page.goto(f"/inbox/?view={view}")
        expect(page.locator("table.inbox")).to_be_visible()
        check(f"inbox-{view}")

    page.goto("/inbox/?view=mine")
    page.locator("table.inbox").get_by_role("link", name="退货咨询").click()
    page.wait_for_url(re.compile(r"/conversations/\d+/$"))
    expect(page.locator("#messages").get_by_text(GAO_MESSAGE)).to_be_visible()
    check("conversation")
    conversation_url = page.url

    # A longer thread, with the agent's replies and an internal note.
    page.goto("/inbox/?view=all&status=any")
    page.locator("table.inbox").get_by_role("link", name="电饭煲内胆涂层").click()
    page.wait_for_url(re.compile(r"/conversations/\d+/$"))
    expect(page.locator(".msg.internal")).to_be_visible()
    check("conversation-note")

    page.goto(f"/conversations/{awkward_conversation.pk}/")
    expect(page.locator("#messages")).to_contain_text("麻烦尽快处理")
    check("conversation-long")

    page.goto(conversation_url)
    page.locator(".threadhead .actions a.button").click()  # create a ticket from the conversation
    page.wait_for_url(re.compile(r"/tickets/new/\?conversation=\d+$"))
    expect(page.locator(".card.narrow")).to_contain_text("高小姐")
    check("ticket-new")

    page.goto("/tickets/")
    expect(page.locator("table.list")).to_contain_text("电饭煲内胆掉涂层")
    check("tickets")
    page.locator("table.list").get_by_role("link", name="电饭煲内胆掉涂层，申请换货").click()
    page.wait_for_url(re.compile(r"/tickets/\d+/$"))
    expect(page.locator(".thread .remarks")).to_contain_text("已联系仓库准备换货")
    check("ticket")

    page.goto("/customers/")
    expect(page.locator("table.list")).to_contain_text("张伟")
    check("customers")
    page.locator("table.list").get_by_role("link", name="张伟").click()
    page.wait_for_url(re.compile(r"/customers/\d+/$"))
    expect(page.locator(".threadhead h1")).to_contain_text("张伟")
    check("customer")

    page.goto("/channels/")
    expect(page.locator("table.list")).to_contain_text("ruiguang-web")
    check("channels")

    assert overflow == {}, f"pages wider than the {viewport['width']} px viewport: {overflow}"
    assert wrapped == {}, f"labels broken over two lines: {wrapped}"
    assert tab.errors == []
    tab.close()
