"""The ticket and SLA screens in Chromium: filters, a saved view, bulk assign, the timeline,
the live countdown, the simulator and the at-risk list — at laptop and phone width."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.browser_support import CHROMIUM, DESKTOP, PHONE, Tab, chromium, log_in, serve_asgi
from tests.factories import ensure_sla_defaults

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not found: apt-get install chromium"),
]

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect


@pytest.fixture
def live_url(transactional_db, settings):
    from kefu import demo
    from kefu.accounts.models import User
    from kefu.config.asgi import application
    from kefu.core import clock
    from kefu.customers.models import Customer
    from kefu.sla.sweep import sweep
    from kefu.tickets import actions

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    ensure_sla_defaults()  # an earlier transactional test may have flushed the migrations' rows
    demo.load()
    now = clock.now()
    customers = list(Customer.objects.order_by("id")[:2])
    agent = User.objects.get(username="aftersales")
    # One ticket 30 h old (its 24 h first response breached), one with 2 minutes left.
    actions.do_create_ticket(
        customers[0], subject="发票抬头开错，需重开", now=now - timedelta(hours=30), assignee=agent
    )
    actions.do_create_ticket(
        customers[1], subject="热线：路由器掉线", now=now - timedelta(hours=4) + timedelta(minutes=2), source="phone"
    )
    sweep(now)
    with serve_asgi(application) as url:
        yield url


@pytest.fixture
def browser(live_url):
    with chromium() as b:
        yield b


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_supervisor_works_the_ticket_list_and_sla_pages(browser, live_url, viewport):
    tab = Tab.open(browser, f"tickets-{viewport['width']}", viewport, live_url)
    page = tab.page
    log_in(tab, "supervisor")

    # The list shows countdowns; the breached ticket reads "overdue".
    page.goto("/tickets/")
    row = page.locator("tr", has_text="发票抬头开错")
    expect(row.locator(".sla-breached")).to_be_visible()
    tab.shot("list")
    assert tab.horizontal_overflow() <= 1

    # The live countdown turns the 2-minute ticket into "overdue" once its deadline passes.
    hotline = page.locator("tr", has_text="热线：路由器掉线").locator(".sla")
    expect(hotline).to_have_class(re.compile(r"sla-(ok|at_risk)"))
    page.evaluate(
        "() => { for (const el of document.querySelectorAll('.sla[data-due]')) "
        "el.dataset.due = new Date(Date.now() - 60000).toISOString(); window.kefuSlaTick(); }"
    )
    expect(hotline).to_have_class(re.compile("sla-breached"))

    # Filter to the breached ones and save that as a view.
    page.goto("/tickets/?sla=breached")
    expect(page.locator("table.list")).to_contain_text("发票抬头开错")
    page.locator("details.save-view summary").click()
    page.fill("details.save-view input[name=name]", "已超时")
    page.locator("details.save-view button", has_text=re.compile(".")).first.click()
    expect(page.locator(".saved-views")).to_contain_text("已超时")

    # Bulk: assign the breached ticket to me.
    page.locator("tr", has_text="发票抬头开错").locator("input[name=ids]").check()
    page.select_option("select[name=op]", "assign:me")
    page.locator(".bulkbar button").click()
    expect(page.locator(".flash")).to_be_visible()

    # The ticket's timeline has the creation, the SLA warning and breach.
    page.goto("/tickets/")
    page.get_by_role("link", name="发票抬头开错，需重开").click()
    page.wait_for_url(re.compile(r"/tickets/\d+/$"))
    expect(page.locator("#timeline")).to_contain_text("SLA")
    tab.shot("ticket")
    assert tab.horizontal_overflow() <= 1

    # The simulator: 2 business hours from the evening before National Day 2025.
    page.goto("/sla/?calendar=workdays&start=2025-09-30T17:00&minutes=120&business=on&pauses=")
    expect(page.locator("#sim-result")).to_contain_text("2025-10-09 10:00:00")
    tab.shot("simulator")
    assert tab.horizontal_overflow() <= 1

    page.goto("/sla/at-risk/")
    expect(page.locator("table.list")).to_contain_text("发票抬头开错")
    tab.shot("at-risk")
    assert tab.horizontal_overflow() <= 1
    assert tab.errors == []
