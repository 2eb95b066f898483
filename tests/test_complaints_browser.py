"""In Chromium: an agent turns a chat into a complaint, after-sales handles it, the supervisor
approves the proposal, the customer accepts on the link, the complaint closes after tracking — and
the agent's quality page shows the closed chat's findings."""

from __future__ import annotations

import threading
from datetime import timedelta

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
def live(transactional_db, settings):
    from kefu.accounts.choices import Role
    from kefu.accounts.models import User
    from kefu.config.asgi import application
    from kefu.conversations.actions import do_assign, do_post_message, do_start_conversation
    from kefu.core import clock
    from kefu.customers.actions import do_find_or_create_by_identity
    from kefu.demo import DEMO_PASSWORD
    from tests.factories import ChannelFactory, UserFactory, ensure_sla_defaults

    ensure_sla_defaults()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    for username, role in (("agent", Role.RECEPTION), ("aftersales", Role.AFTERSALES), ("supervisor", Role.SUPERVISOR)):
        user = UserFactory(username=username, role=role)
        user.set_password(DEMO_PASSWORD)
        user.save()
    now = clock.now()
    start = now - timedelta(minutes=30)
    agent = User.objects.get(username="agent")
    customer, _c = do_find_or_create_by_identity("phone", "13612345678", now=start, defaults={"name": "投诉客户"})
    chat = do_start_conversation(ChannelFactory(kind="web_chat"), customer, now=start, subject="发错货")
    do_assign(chat, assignee=agent, team=None, actor=agent, now=start)
    for author, seconds, text in (
        ("customer", 0, "你们发错货了！我要的是单模光模块，再不处理我就打12315投诉！"),
        ("agent", 45, "不知道，请提供订单号。"),
        ("customer", 60, "订单号20240601888"),
        ("agent", 70, "好的，我帮您登记。"),
    ):
        do_post_message(
            chat,
            author_kind=author,
            author=agent if author == "agent" else None,
            text=text,
            now=start + timedelta(seconds=seconds),
        )
    with serve_asgi(application) as url:
        yield url, chat.pk


def _step(page, event: str, fill: dict[str, str] | None = None) -> None:
    form = page.locator(f"form.step-{event}")
    for name, value in (fill or {}).items():
        form.locator(f"[name={name}]").first.fill(value)
    form.locator("button").first.click()
    page.wait_for_load_state()


def test_chat_to_closed_complaint_and_the_agents_quality_page(live):
    url, chat_id = live
    with chromium() as browser:
        # Given the agent's chat where the customer threatens 12315, the panel suggests a complaint;
        agent = Tab.open(browser, "complaints-agent", DESKTOP, url)
        log_in(agent, "agent")
        page = agent.page
        page.goto(f"/conversations/{chat_id}/")
        expect(page.locator("#complaint-panel .cue")).to_contain_text("12315")
        agent.shot("cue")
        # when the agent turns it into a complaint in one click, the complaint keeps the transcript.
        page.locator("#turn-into-complaint").click()
        expect(page.locator("#complaint-status")).to_be_visible()
        complaint_url = page.url
        expect(page.locator(".transcript")).to_contain_text("单模光模块")
        agent.shot("registered")

        # After-sales contacts the customer, analyses, proposes a remedy with a coupon.
        handler = Tab.open(browser, "complaints-aftersales", DESKTOP, url)
        log_in(handler, "aftersales")
        hp = handler.page
        hp.goto(complaint_url)
        _step(hp, "contact", {"note": "电话联系客户，复述：收到多模光模块，要单模"})
        _step(hp, "analyse", {"cause": "仓库拣货错误"})
        hp.locator("form.step-propose [name=compensation_kind]").select_option("coupon")
        _step(hp, "propose", {"plan": "顺丰补发单模光模块，多模不用寄回，送20元优惠券", "compensation_amount": "20"})
        expect(hp.locator("#complaint-status")).to_have_attribute("class", "badge status-proposed")

        # Only the supervisor approves the proposal.
        assert hp.locator("#approve").count() == 0
        boss = Tab.open(browser, "complaints-supervisor", DESKTOP, url)
        log_in(boss, "supervisor")
        boss.page.goto(complaint_url)
        boss.page.locator("#approve").click()
        boss.page.wait_for_load_state()
        expect(boss.page.locator("#complaint-status")).to_have_attribute("class", "badge status-approved")
        boss.shot("approved")

        # After-sales answers; the customer opens the link and accepts.
        hp.goto(complaint_url)
        _step(hp, "answer")
        link = hp.locator("#public-url").input_value()
        customer = Tab.open(browser, "complaints-customer", PHONE, url)
        customer.page.goto(link)
        expect(customer.page.locator("#answer")).to_contain_text("顺丰补发")
        customer.shot("offer")
        customer.page.locator("#accept").click()
        expect(customer.page.locator("#outcome")).to_be_visible()
        customer.shot("accepted")
        hp.goto(complaint_url)
        expect(hp.locator("#agreement")).to_be_visible()

        # The warehouse task, tracking, and the complaint closes.
        _step(hp, "implement", {"department": "仓库", "task": "补发单模光模块"})
        _step(hp, "track")
        _step(hp, "close", {"note": "客户确认收到，满意"})
        expect(hp.locator("#complaint-status")).to_have_attribute("class", "badge status-closed")
        handler.shot("closed")
        phone = Tab.open(browser, "complaints-phone", PHONE, url)
        log_in(phone, "aftersales")
        phone.page.goto(complaint_url)
        phone.shot("closed-phone")
        assert phone.horizontal_overflow() <= 1, phone.overflowing_elements()

        # The agent closes the chat; once inspected, their quality page shows its findings.
        page.goto(f"/conversations/{chat_id}/")
        page.locator("button[data-event=resolve]").click()
        page.wait_for_load_state()
        page.locator("button[data-event=close]").click()
        page.wait_for_load_state()
        from kefu.core import clock
        from kefu.quality.actions import inspect_closed

        inspected: list[int] = []  # the sweeper runs in a thread of its own (Playwright owns this one's event loop)
        sweeper = threading.Thread(target=lambda: inspected.append(inspect_closed(clock.now())))
        sweeper.start()
        sweeper.join()
        assert inspected == [1]
        page.goto("/quality/")
        row = page.locator("tr", has_text=f"#{chat_id}")
        expect(row.locator(".badge.fail").first).to_be_visible()
        agent.shot("quality")
        row.locator("a").first.click()
        expect(page.locator(".checks")).to_contain_text("不知道")
        agent.shot("inspection")
        for tab in (agent, handler, boss, customer, phone):
            assert not tab.errors, tab.errors
