"""Live assist and the role homes in Chromium (issue 15): a suggestion goes into the reply box with one
click and the reply lint runs on it; finance lands on the refunds to pay and opens 更多 by keyboard;
执行退款 asks first. Laptop and phone width, with screenshots (test-artifacts/browser/)."""

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


@pytest.fixture
def world(transactional_db, settings):
    from kefu import demo
    from kefu.aftersales.models import OrderLink
    from kefu.assist.actions import do_record_emotion
    from kefu.assist.emotion import Analysis
    from kefu.config.asgi import application
    from kefu.conversations.actions import do_post_message
    from kefu.core import clock
    from tests.factories import ensure_sla_defaults

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    ensure_sla_defaults()
    demo.load()
    link = OrderLink.objects.filter(conversation__isnull=False).select_related("conversation", "order").first()
    assert link is not None, "the demo links an order to a conversation"
    conversation = link.conversation
    # The customer asks when it ships; the worker's stored analysis says so (calm, intent hurry).
    message, _created = do_post_message(
        conversation, author_kind="customer", text="我的订单什么时候能发货呀？", now=clock.now()
    )
    do_record_emotion(
        message,
        Analysis(emotion="calm", score=0.1, urgent=False, intent="hurry", script="zh-Hans"),
        now=clock.now(),
    )
    with serve_asgi(application) as url:
        yield {"url": url, "conversation": conversation, "order": link.order}


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_suggestion_goes_into_the_reply_box_and_the_lint_runs(world, viewport):
    with chromium() as browser:
        tab = Tab.open(browser, f"assist-suggest-{viewport['width']}", viewport, world["url"])
        page = tab.page
        log_in(tab, "agent")
        page.goto(f"/conversations/{world['conversation'].pk}/")
        panel = page.locator("#assist-suggest")
        first = panel.locator(".suggest").first
        # The first suggestion anticipates the next question with the order's own estimate,
        expect(first).to_have_class("suggest anticipate")
        expect(first).to_contain_text(world["order"].number)
        panel.scroll_into_view_if_needed()
        tab.shot("panel")
        # one click puts it into the reply box,
        first.locator("button").click()
        box = page.locator("#composer textarea")
        assert world["order"].number in box.input_value()
        # and the reply lint checks it like typed text (a casual promise added by hand is flagged).
        box.press("End")
        box.type("保证明天到！")
        expect(page.locator("#assist-lint")).to_be_visible()
        tab.shot("inserted-and-linted")
        assert tab.horizontal_overflow() == 0, tab.overflowing_elements()
        tab.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_finance_lands_on_the_refunds_and_uses_more_by_keyboard(world, viewport):
    with chromium() as browser:
        tab = Tab.open(browser, f"role-home-finance-{viewport['width']}", viewport, world["url"])
        page = tab.page
        log_in(tab, "finance", home=True)
        # Finance lands on the refunds to pay, its first link marked,
        expect(page).to_have_url(f"{world['url']}/cases/finance/")
        expect(page.locator(".mainnav a.active").first).to_have_attribute("href", "/cases/finance/")
        # the rest sits under 更多: it opens with the keyboard, arrows move through it, Esc closes it.
        summary = page.locator("#nav-more > summary")
        summary.focus()
        page.keyboard.press("Enter")
        menu = page.locator(".nav-more-menu")
        expect(menu).to_be_visible()
        page.keyboard.press("ArrowDown")
        expect(menu.locator("a").first).to_be_focused()
        tab.shot("more-open")
        box = menu.bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= viewport["width"] + 1
        page.keyboard.press("Escape")
        expect(menu).to_be_hidden()
        expect(summary).to_be_focused()
        # 执行退款 shows the amount and the customer before anything is paid.
        row = page.locator("#finance-queue tbody tr").first
        row.locator("[data-event=pay]").click()
        expect(page.locator("#pay-confirm")).to_be_visible()
        expect(page.locator("#pay-amount")).to_contain_text("¥")
        tab.shot("pay-confirm")
        assert tab.horizontal_overflow() == 0, tab.overflowing_elements()
        assert not [e for e in tab.errors if "favicon" in e]
        tab.close()
