"""The help center and the knowledge pages in a real browser: a phone-width visitor searches
in Simplified and Traditional, reads, votes and opens the chat; an agent searches the
workspace knowledge base. Screenshots: test-artifacts/browser/kb-*.png."""

from __future__ import annotations

import re
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


def test_help_center_on_a_phone_in_both_scripts(browser, live_url):
    visitor = Tab.open(browser, "kb-help-phone", PHONE, live_url)
    page = visitor.page
    # Given a visitor on a phone, when the help center opens, then categories and articles show.
    page.goto("/help/")
    expect(page.locator('.hc-cats a[href="?category=returns"]')).to_be_visible()
    visitor.shot("home")
    # When they search 退货, then the 7-day return article is found with the word highlighted.
    page.locator(".hc-search input").fill("退货")
    page.locator(".hc-search button").click()
    expect(page.locator("#hc-results li").first).to_contain_text("退货")
    expect(page.locator("#hc-results mark").first).to_have_text("退货")
    assert visitor.horizontal_overflow() == 0, visitor.overflowing_elements()
    visitor.shot("search-hans")
    # When they open it and vote, then the vote is thanked.
    page.locator("#hc-results li a", has_text="7 天无理由退货").click()
    expect(page.locator("h1")).to_have_text("7 天无理由退货")
    page.locator(".hc-feedback textarea").fill("很清楚")
    page.locator(".hc-feedback button[value=yes]").click()
    expect(page.locator(".hc-thanks")).to_be_visible()
    assert visitor.horizontal_overflow() == 0, visitor.overflowing_elements()
    visitor.shot("article-voted")
    # When they switch to 繁體 and search 發票, then the invoice article shows in Traditional.
    page.get_by_role("link", name="繁體").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-TW")
    page.locator(".hc-search input").fill("發票")
    page.locator(".hc-search button").click()
    expect(page.locator("#hc-results")).to_contain_text("怎麼開發票")
    expect(page.locator("#hc-results mark").first).to_have_text("發票")
    assert visitor.horizontal_overflow() == 0, visitor.overflowing_elements()
    visitor.shot("search-hant")
    # The chat button opens the site's web-chat widget.
    page.locator("#hc-chat").click()
    frame = page.frame_locator("iframe.kefu-w-frame")
    expect(frame.locator("#composer")).to_be_visible()
    visitor.shot("chat-open")
    assert visitor.errors == []
    visitor.close()


def test_agent_searches_the_knowledge_base(browser, live_url):
    agent = Tab.open(browser, "kb-agent", DESKTOP, live_url)
    log_in(agent, "supervisor")
    page = agent.page
    # Given a supervisor, when they open Knowledge from the navigation and search 快递多久到,
    kb_link = page.locator('nav.mainnav a[href="/kb/"]')
    if not kb_link.is_visible():  # not one of the supervisor's own pages: it sits under 更多
        page.locator("#nav-more summary").click()
    kb_link.click()
    page.locator("form.kb-search input[type=search]").fill("快递多久到")
    page.locator("form.kb-search button").click()
    # then shipping articles are found (物流 and 快递 are synonyms), with highlights.
    expect(page.locator("#kb-hits li").first).to_contain_text(re.compile("发货|到货|物流"))
    expect(page.locator("#kb-hits mark").first).to_be_visible()
    agent.shot("search")
    page.locator("#kb-hits li a").first.click()
    expect(page.locator(".kb-body")).to_be_visible()
    agent.shot("article")
    assert agent.errors == []
    agent.close()


def _db(fn):
    """Run a database read in another thread: Playwright's running loop makes this one "async"
    for Django."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(fn).result()


def test_canned_reply_sent_from_the_picker_is_counted(browser, live_url):
    from kefu.conversations.models import Conversation
    from kefu.knowledge.models import CannedReply

    conversation = _db(
        lambda: Conversation.objects.filter(assignee__username="agent").exclude(status="closed").order_by("pk").first()
    )
    before = _db(lambda: CannedReply.objects.get(shortcut="hy1").usage_count)
    agent = Tab.open(browser, "kb-canned", DESKTOP, live_url)
    log_in(agent)
    page = agent.page
    # Given the agent's open conversation, when they pick /hy1 and send it,
    page.goto(f"/conversations/{conversation.pk}/")
    text = page.locator("#composer textarea")
    text.click()
    text.type("/hy1")
    expect(page.locator("#canned-popup .canned-item").first).to_contain_text("欢迎")
    agent.shot("picker")
    text.press("Enter")
    expect(text).to_have_value(re.compile("欢迎咨询"))
    text.press("Enter")
    # then the reply is sent and the canned reply's usage count goes up by one.
    expect(page.locator("#messages")).to_contain_text("欢迎咨询")

    def uses() -> int:
        return _db(lambda: CannedReply.objects.get(shortcut="hy1").usage_count)

    for _ in range(80):  # the count is reported with its own request right after the send
        if uses() == before + 1:
            break
        page.wait_for_timeout(100)
    assert uses() == before + 1, agent.errors
    assert agent.errors == []
    agent.close()
