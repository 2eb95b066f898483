"""After-sales in real browsers: a customer writes in the web chat; an after-sales agent opens the
order linked to the chat, opens a return-and-refund case with a photo and agrees it; the return is
recorded and received; finance pays it from the finance queue; the customer's chat (the widget)
shows each notification.  Screenshots: test-artifacts/browser/cases-*.png."""

from __future__ import annotations

import re

import pytest

from tests.browser_support import CHROMIUM, DESKTOP, PHONE, Tab, chromium, demo_company, log_in, serve_asgi
from tests.test_browser_chat import customer_site, open_widget

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not found: apt-get install chromium"),
]

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

QUESTION = "收到的光模块外壳裂了，我要退货退款"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\xdac\xfc\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


def off_loop(fn):
    """Run a database call outside Playwright's event loop (Django refuses sync queries inside it)."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    def run():
        try:
            return fn()
        finally:
            connection.close()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run).result()


@pytest.fixture
def live_url(transactional_db, settings):
    from kefu.config.asgi import application

    demo_company(settings)
    with serve_asgi(application) as url:
        yield url


def _order_for_the_chat(conversation):
    """The demo order of the customer who writes: paid, delivered, linked to their chat."""
    from kefu.aftersales.actions import do_create_order, do_link_order
    from kefu.aftersales.orders_input import parse_order
    from kefu.core import clock
    from kefu.shops.models import Product

    product = Product.objects.filter(shop__code="ruiguang").order_by("id").first()
    now = clock.now()
    data = parse_order(
        {
            "shop": "ruiguang",
            "platform_order_no": "TB20260501888",
            "customer": {"name": "网页访客", "phone": "13900001111"},
            "lines": [{"sku": product.sku, "name": product.name, "quantity": 2, "unit_price": "129.00"}],
            "address": {
                "name": "林女士",
                "phone": "13900001111",
                "province": "广东省",
                "city": "广州市",
                "detail": "天河路 1 号",
            },
            "status": "delivered",
            "delivered_at": now.isoformat(),
        }
    )
    order = do_create_order(data, actor=None, now=now, source="demo", customer=conversation.customer)
    do_link_order(order, actor=None, now=now, conversation=conversation)
    return order


def test_return_and_refund_from_chat_to_finance_with_the_customer_told(live_url):
    from kefu.cases.models import Case
    from kefu.conversations.models import Conversation

    with chromium() as browser, customer_site(live_url) as site:
        visitor = Tab.open(browser, "cases-visitor", PHONE, live_url)
        agent = Tab.open(browser, "cases-agent", DESKTOP, live_url)
        finance = Tab.open(browser, "cases-finance", DESKTOP, live_url)
        # Given a customer who writes in the web chat about an order they received,
        frame = open_widget(visitor, site)
        frame.locator("#text").fill(QUESTION)
        frame.locator("#text").press("Enter")
        expect(frame.locator(".msg.customer .state").last).to_have_text(re.compile("已发送|已读"))
        conversation = off_loop(lambda: Conversation.objects.select_related("customer").get(messages__text=QUESTION))
        order = off_loop(lambda: _order_for_the_chat(conversation))

        # when the after-sales agent opens the chat, the linked order and the after-sales panel are there;
        log_in(agent, "aftersales")
        page = agent.page
        page.goto(f"/conversations/{conversation.pk}/")
        expect(page.locator(".cases-panel")).to_be_visible()
        expect(page.locator("aside")).to_contain_text(order.number)
        agent.shot("conversation")
        # one click opens the new-case form on that order; a return and refund for a quality problem, with a photo.
        page.locator(".cases-panel a.new-case").click()
        page.wait_for_url(re.compile(r"/cases/new/"))
        expect(page.locator("#case-form")).to_contain_text(order.number)
        page.select_option("select[name=kind]", "return_refund")
        page.select_option("select[name=reason]", "quality")
        page.fill("input[name=amount]", "129.00")
        page.fill("textarea[name=description]", "外壳开裂，无法插入交换机")
        page.set_input_files("input[name=photos]", files=[{"name": "裂纹.png", "mimeType": "image/png", "buffer": PNG}])
        agent.shot("new-case")
        page.locator("#case-form button.primary").click()
        page.wait_for_url(re.compile(r"/cases/\d+/$"))
        case = off_loop(lambda: Case.objects.get(order=order))
        expect(page.locator(".photos img")).to_have_count(1)
        expect(page.locator(".deadline[data-name=seller_respond_by]")).to_contain_text(re.compile("平台|platform"))
        agent.shot("case-requested")
        expect(frame.locator(".msg.agent").last).to_contain_text(case.number)

        # it is agreed: the return address goes to the customer, who sees it in the chat;
        page.locator("button[data-event=agree]").click()
        expect(page.locator("#case-status")).to_have_attribute("data-status", "agreed")
        expect(frame.locator(".msg.agent").last).to_contain_text("瑞光极远售后部")
        visitor.shot("agreed")
        # the buyer's return is recorded (express), received, and payment is asked for by the green channel.
        page.fill("input[name=tracking_no]", "SF1402998877")
        page.locator("button[data-event=buyer_shipped]").click()
        expect(page.locator(".deadline[data-name=seller_confirm_by]")).to_be_visible()
        page.locator("button[data-event=confirm_receipt]").click()
        page.fill("input[name=remark]", "客户着急，走绿色通道")
        page.check("input[name=green_channel]")
        page.locator("button[data-event=request_payment]").click()
        expect(page.locator("#case-status")).to_have_attribute("data-status", "payment_requested")
        expect(page.locator("[data-event=pay]")).to_have_count(0)  # the agent cannot pay
        agent.shot("case-waiting-for-finance")
        expect(frame.locator(".msg.agent").last).to_contain_text("绿色通道")

        # Finance pays it from the finance queue,
        log_in(finance, "finance")
        finance.page.goto("/cases/finance/")
        row = finance.page.locator("#finance-queue tr", has_text=case.number)
        expect(row.locator(".badge.green")).to_be_visible()
        finance.shot("queue")
        row.locator("[data-event=pay]").click()
        # a confirmation shows the amount and the customer before any money moves,
        expect(finance.page.locator("#pay-amount")).to_contain_text(str(case.amount))
        customer = off_loop(lambda: str(Case.objects.select_related("customer").get(pk=case.pk).customer))
        expect(finance.page.locator("#pay-customer")).to_contain_text(customer)
        finance.shot("pay-confirm")
        finance.page.locator("#pay-confirm-button").click()
        expect(finance.page.locator("#finance-queue")).not_to_contain_text(case.number)
        assert off_loop(lambda: Case.objects.get(pk=case.pk).status) == "refunded"
        # and the customer's chat shows the refund.
        expect(frame.locator(".msg").last).to_contain_text("已退回")
        visitor.shot("refunded")

        # The workbench and the case page fit a phone.
        phone = Tab.open(browser, "cases-phone", PHONE, live_url)
        log_in(phone, "aftersales")
        for path in ("/cases/", f"/cases/{case.pk}/", "/cases/finance/", "/compensations/"):
            phone.page.goto(path)
            phone.shot(path.strip("/").replace("/", "-"))
            assert phone.horizontal_overflow() == 0, phone.overflowing_elements()
        assert agent.errors == []
        assert finance.errors == []
        assert visitor.errors == []
