"""Orders and logistics in a real browser, on the demo company: an agent opens the demo chat
with its linked order, fills {订单号} from it, quotes a shipping fee; the orders, COD, exceptions,
service-order, reminder and rate pages at desktop and phone width (screenshots in
test-artifacts/browser/orders-*.png)."""

from __future__ import annotations

import re

import pytest

from tests.browser_support import DESKTOP, PHONE, Tab, chromium, demo_company, log_in, serve_asgi
from tests.factories_orders import ensure_orders_defaults

pytestmark = pytest.mark.browser

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

IDS: dict[str, int] = {}
PAGES = [
    ("orders", "/orders/"),
    ("cod", "/orders/cod/"),
    ("logistics", "/logistics/"),
    ("service", "/service-orders/?view=open"),
    ("reminders", "/warranty-reminders/"),
    ("rates", "/shipping-rates/?weight=2500&province=广东"),
    ("import", "/orders/import/"),
    ("new", "/orders/new/"),
]


@pytest.fixture
def live_url(transactional_db, settings):
    from kefu.config.asgi import application
    from tests.factories import CannedReplyFactory

    ensure_orders_defaults()
    demo_company(settings)
    CannedReplyFactory(
        key="wl-order",
        shortcut="wl9",
        category="logistics",
        title="物流进度",
        text="亲，您的订单{订单号}由{快递公司}承运，运单号{快递单号}。",
    )
    from kefu.aftersales.models import Order, OrderLink

    # Read what the tests need now: the ORM may not run while Playwright's loop runs.
    IDS["chat"] = OrderLink.objects.get(conversation__subject="退货咨询").conversation_id
    IDS["cooker"] = Order.objects.get(platform_order_no="JY202611180001").pk
    IDS["cod"] = Order.objects.get(platform_order_no="RG202611230011").pk
    with serve_asgi(application) as url:
        yield url


@pytest.fixture
def browser(live_url):
    with chromium() as b:
        yield b


def test_agent_sees_the_linked_order_in_the_chat_and_fills_canned_replies(browser, live_url):
    tab = Tab.open(browser, "orders-chat", DESKTOP, live_url)
    log_in(tab, "agent")
    page = tab.page
    page.goto(f"/conversations/{IDS['chat']}/")
    panel = page.locator("#orders-panel")
    expect(panel.locator("#linked-order")).to_contain_text("JY202611180001")
    expect(panel.locator("#linked-order")).to_contain_text("SF1402258860312")
    tab.shot("panel")
    # The canned reply's {订单号} {快递公司} {快递单号} fill from the linked order.
    text = page.locator("#composer textarea")
    text.click()
    text.type("/wl9")
    expect(page.locator("#canned-popup .canned-item").first).to_contain_text("JY202611180001")
    text.press("Enter")
    assert text.input_value() == "亲，您的订单JY202611180001由顺丰承运，运单号SF1402258860312。"
    # The shipping fee tool quotes and inserts into the reply.
    panel.locator("details.fee-tool summary").click()
    panel.locator("input[name=weight]").fill("2500")
    panel.locator("details.fee-tool button").click()
    expect(panel.locator("#fee-result")).to_contain_text("顺丰")
    panel.locator("#fee-result button").click()
    assert "顺丰 ¥" in text.input_value()
    tab.shot("fee-tool")
    assert tab.errors == []
    tab.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_orders_pages_fit_and_read_in_chinese(browser, live_url, viewport):
    name = "orders-" + ("phone" if viewport is PHONE else "desktop")
    tab = Tab.open(browser, name, viewport, live_url)
    log_in(tab, "supervisor")
    page = tab.page
    for label, url in [*PAGES, ("order", f"/orders/{IDS['cooker']}/")]:
        page.goto(url)
        expect(page.locator("nav.subnav")).to_be_visible()
        tab.shot(label)
        assert tab.horizontal_overflow() == 0, (label, tab.overflowing_elements())
    assert tab.errors == []
    tab.close()


def test_cod_confirmation_then_shipping_in_the_browser(browser, live_url):
    tab = Tab.open(browser, "orders-cod", DESKTOP, live_url)
    log_in(tab, "aftersales")
    page = tab.page
    order_id = IDS["cod"]
    page.goto("/orders/cod/")
    row = page.locator(f"#o{order_id}")
    expect(page.locator(".script")).to_contain_text("¥10")
    row.locator("input[name=note]").fill("本人确认")
    row.get_by_role("button", name=re.compile("已确认|Confirmed")).click()
    expect(page.locator(f"#o{order_id}")).to_have_count(0)
    page.goto(f"/orders/{order_id}/")
    page.fill("input[name=courier]", "顺丰")
    page.fill("input[name=tracking_no]", "SF900001")
    page.locator("form:has(input[name=tracking_no]) button.primary").click()
    expect(page.locator(".shipment").first).to_contain_text("SF900001")
    expect(page.locator(".threadhead .badge").first).to_have_class(re.compile("st-shipped"))
    tab.shot("shipped")
    assert tab.errors == []
    tab.close()
