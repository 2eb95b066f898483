"""The FAQ bot and the reply lint in real browsers: the bot answers a question in the widget on another
origin, the visitor types 转人工, an agent receives the conversation with the bot's transcript and guess;
the composer flags a forbidden phrase while typing and will not send it.

Screenshots land in test-artifacts/browser/assist-*.png (gitignored).
"""

from __future__ import annotations

import re

import pytest

from tests.browser_support import CHROMIUM, DESKTOP, PHONE, Tab, chromium, log_in, serve_asgi
from tests.factories import ChannelFactory, UserFactory
from tests.factories_assist import BotChannelSettingFactory
from tests.test_browser_chat import customer_site, open_widget

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not found: apt-get install chromium"),
]

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

QUESTION = "你们一般拍下后什么时候发货？"


@pytest.fixture
def live_url(transactional_db, settings):
    """An online agent, the shop's web chat with the bot on, the shipped help-center articles.  Built
    here rather than from the demo so that this test depends on the bot and the widget alone."""
    from kefu.accounts.choices import Presence
    from kefu.config.asgi import application
    from kefu.demo import DEMO_PASSWORD
    from kefu.knowledge.defaults import install_articles, install_synonyms

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    install_articles()
    install_synonyms()
    agent = UserFactory(role="reception", username="agent", display_name="小美", presence=Presence.ONLINE)
    agent.set_password(DEMO_PASSWORD)
    agent.save()
    channel = ChannelFactory(key="ruiguang-web", name="瑞光官网在线客服", welcome="您好，欢迎咨询瑞光极远")
    BotChannelSettingFactory(channel=channel)
    with serve_asgi(application) as url:
        yield url


@pytest.fixture
def browser(live_url):
    with chromium() as b:
        yield b


def test_bot_answers_in_the_widget_and_hands_over_with_its_transcript(browser, live_url):
    agent = Tab.open(browser, "assist-agent", DESKTOP, live_url)
    visitor = Tab.open(browser, "assist-visitor", PHONE, live_url)
    log_in(agent)
    agent.page.goto("/inbox/?view=mine")
    expect(agent.page.locator("#live-dot")).to_be_visible()

    with customer_site(live_url) as site:
        frame = open_widget(visitor, site)
        # Given a visitor on a shop page, when they ask when orders ship,
        frame.locator("#text").fill(QUESTION)
        frame.locator("#text").press("Enter")
        # then the assistant answers from the help-center article, with the follow-up fact, and offers a person.
        answer = frame.locator(".msg.bot").first
        expect(answer).to_contain_text("3–5 天", timeout=15000)
        expect(answer).to_contain_text("人工")
        expect(frame.locator("#human")).to_be_visible()
        visitor.shot("bot-answer")
        # Nobody is bothered yet: the chat is not in the agent's list (rows show the last message).
        expect(agent.page.locator("table.inbox tr", has_text=QUESTION[:8])).to_have_count(0)
        expect(agent.page.locator("table.inbox tr", has_text="人工")).to_have_count(0)

        # When the visitor types 转人工,
        frame.locator("#text").fill("转人工")
        frame.locator("#text").press("Enter")
        expect(frame.locator(".msg.bot")).to_have_count(2, timeout=15000)
        visitor.shot("bot-handover")
        # then an agent receives the conversation live,
        # (its row shows the last message: the bot's hand-over line)
        row = agent.page.locator("table.inbox tr", has_text="人工")
        expect(row).to_be_visible(timeout=10000)
        row.get_by_role("link").first.click()
        agent.page.wait_for_url(re.compile(r"/conversations/\d+/$"))
        page = agent.page
        # with the bot's transcript and its guess.
        messages = page.locator("#messages")
        expect(messages).to_contain_text(QUESTION)
        expect(messages.locator(".msg.bot")).to_have_count(2)
        expect(messages.locator(".msg.bot").first).to_contain_text("3–5 天")
        expect(messages.locator(".msg.internal").last).to_contain_text(re.compile("FAQ|机器人"))
        bot_panel = page.locator("#assist-bot")
        expect(bot_panel).to_be_visible()
        expect(bot_panel).to_contain_text("0.")
        agent.shot("agent-receives")

        # The composer flags a forbidden phrase while the agent types, and will not send it.
        text = page.locator("#composer textarea")
        text.fill("不知道，你自己看吧")
        lint = page.locator("#assist-lint")
        expect(lint).to_be_visible(timeout=5000)
        expect(lint.locator(".v.error").first).to_contain_text("不知道")
        agent.shot("lint-blocked")
        text.press("Enter")
        expect(text).to_have_value("不知道，你自己看吧")
        expect(messages.locator(".msg.agent")).to_have_count(0)
        # A polite reply goes out and reaches the visitor.
        text.fill("您好，我是客服小美，我帮您查一下发货时间")
        expect(lint).to_be_hidden(timeout=5000)
        text.press("Enter")
        expect(messages.locator(".msg.agent").last).to_contain_text("我帮您查一下")
        expect(frame.locator(".msg.agent").last).to_contain_text("我帮您查一下")
        expect(frame.locator("#human")).to_be_hidden()
        visitor.shot("agent-joined")

    assert agent.errors == []
    assert visitor.errors == []
    agent.close()
    visitor.close()
