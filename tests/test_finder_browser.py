"""The one search box in a real browser: Ctrl+K finds a message by the Traditional spelling of a
Simplified word, keyboard only, at 1366 px and at 390 px. Screenshots:
test-artifacts/browser/finder-*.png."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.browser_support import CHROMIUM, DESKTOP, PHONE, Tab, chromium, demo_company, log_in, serve_asgi

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not found: apt-get install chromium"),
]

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect


@pytest.fixture
def live_url(transactional_db, settings):
    from kefu.config.asgi import application

    demo_company(settings)
    with serve_asgi(application) as url:
        yield url


@pytest.fixture
def browser(live_url):
    with chromium() as b:
        yield b


def _db(fn):
    """Database work in another thread: Playwright's running loop makes this one "async" for Django."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(fn).result()


def _customer_writes():
    from kefu.conversations.actions import do_post_message
    from kefu.conversations.models import Conversation
    from kefu.core import clock

    conversation = Conversation.objects.exclude(status="closed").order_by("pk").first()
    message, _ = do_post_message(
        conversation, author_kind="customer", text="请问电子发票什么时候开好？我要报销", now=clock.now()
    )
    return conversation.pk, message.pk


def test_ctrl_k_finds_a_message_by_its_traditional_spelling(browser, live_url):
    conversation_id, message_id = _db(_customer_writes)
    agent = Tab.open(browser, "finder-desktop", DESKTOP, live_url)
    log_in(agent, "agent")
    page = agent.page
    # Given an agent on any page, when they press Ctrl+K and type 發票 (Traditional for 发票),
    page.keyboard.press("Control+k")
    overlay = page.locator(".finder-overlay")
    expect(overlay).to_be_visible()
    page.keyboard.type("發票 報銷")
    # then the customer's message written 发票 … 报销 is found, grouped under messages, highlighted,
    hit = overlay.locator(f'.finder-message .finder-hit[data-id="{message_id}"]')
    expect(hit).to_be_visible()
    expect(hit.locator("mark").first).to_have_text("发票")
    expect(overlay.locator(".finder-group").first).to_have_class("finder-group finder-message")
    expect(overlay.locator(".finder-hit.active")).to_have_count(1)
    agent.shot("overlay")
    # and the keyboard alone opens it: ↓ ↑ move the choice, Enter goes to the conversation.
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    expect(hit).to_have_class("finder-hit active")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/conversations/{conversation_id}/#m{message_id}")
    # Esc closes the overlay without leaving the page.
    page.keyboard.press("Control+k")
    expect(overlay).to_be_visible()
    page.keyboard.press("Escape")
    expect(overlay).to_be_hidden()
    assert agent.errors == []
    agent.close()


def test_search_box_on_a_phone(browser, live_url):
    _db(_customer_writes)
    phone = Tab.open(browser, "finder-phone", PHONE, live_url)
    log_in(phone, "agent")
    page = phone.page
    # Given an agent on a 390 px phone, when they tap the top bar's search box and type,
    page.locator("#finder-q").click()
    overlay = page.locator(".finder-overlay")
    expect(overlay).to_be_visible()
    page.keyboard.type("发票")
    expect(overlay.locator(".finder-hit").first).to_be_visible()
    # then the overlay fills the screen without a horizontal scroll bar.
    assert phone.horizontal_overflow() == 0, phone.overflowing_elements()
    box = overlay.locator(".finder-dialog").bounding_box()
    assert box is not None
    assert box["width"] <= PHONE["width"]
    phone.shot("overlay")
    # The full page works too.
    page.keyboard.press("Escape")
    page.goto("/search/?q=退貨")
    expect(page.locator(".finder-page .finder-hit").first).to_be_visible()
    assert phone.horizontal_overflow() == 0, phone.overflowing_elements()
    phone.shot("page")
    assert phone.errors == []
    phone.close()
