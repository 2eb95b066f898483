"""Live assist: canned-reply suggestions follow the stored analysis of the last customer message and the
stage of the sale (issue 15, R17, R19, R20)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from kefu.aftersales.actions import do_link_order
from kefu.assist.actions import do_record_emotion
from kefu.assist.emotion import Analysis
from kefu.assist.suggest import SOOTHE_KEYS, suggestions
from kefu.core import clock
from tests.factories import ConversationFactory, MessageFactory
from tests.factories_cases import CaseOrderFactory

pytestmark = pytest.mark.django_db


def _said(conversation, text, *, emotion="calm", intent=None, cues=()):
    """A customer message and its stored analysis (as the worker records it)."""
    message = MessageFactory(conversation=conversation, text=text)
    result = Analysis(
        emotion=emotion,
        score=0.9 if emotion != "calm" else 0.1,
        urgent=emotion == "angry",
        cues=list(cues),
        intent=intent,
        script="zh-Hans",
    )
    do_record_emotion(message, result, now=clock.now())
    return message


def test_angry_customer_gets_soothing_first_and_never_a_review_request_or_haggling(roles):
    agent = roles["reception"]
    conversation = ConversationFactory(stage="after_sale")
    # Given an angry customer complaining about quality after the sale,
    _said(conversation, "质量太差了！！！我要投诉你们", emotion="angry", intent="complaint", cues=["投诉"])
    # when the suggestions are ranked,
    ctx, items = suggestions(conversation, agent, limit=8)
    keys = [s.key for s in items]
    # then the soothing phrases come first, in R19's order (apologise, check, ask for evidence, compensate),
    assert ctx.upset
    assert ctx.intent == "complaint"
    assert keys[: len(SOOTHE_KEYS)] == list(SOOTHE_KEYS)
    assert {s.kind for s in items[: len(SOOTHE_KEYS)]} == {"soothe"}
    # a remedy follows,
    assert "quality_return_exchange" in keys
    # and nothing that reads as not listening: no five-star review, no haggling, no promotions.
    texts = "".join(s.text for s in items)
    assert "好评" not in texts
    assert "五星" not in texts
    assert not [k for k in keys if k.startswith(("bargain_", "not_interested_", "closing_"))]


def test_the_same_question_calm_gets_no_soothing(roles):
    conversation = ConversationFactory(stage="pre_sale")
    _said(conversation, "这个光模块能便宜点吗", intent="price")
    _ctx, items = suggestions(conversation, roles["reception"])
    # A calm customer haggling gets the bargaining phrases, no apology for nothing.
    assert items[0].key.startswith("bargain_")
    assert not [s for s in items if s.kind == "soothe"]


def test_shipping_question_without_an_order_anticipates_three_to_five_days(roles):
    conversation = ConversationFactory(stage="in_sale")
    _said(conversation, "什么时候发货呀", intent="hurry")
    _ctx, items = suggestions(conversation, roles["reception"])
    # R17: asked when it ships, also say it usually arrives in 3–5 days — offered first.
    assert items[0].kind == "anticipate"
    assert items[0].key == "logistics_delivery_time"
    assert "3" in items[0].text
    assert "5天" in items[0].text


def test_shipping_question_with_a_linked_order_gives_that_orders_own_estimate(roles):
    agent = roles["reception"]
    now = clock.now()
    order = CaseOrderFactory(status="paid", paid_at=now - timedelta(hours=2), delivered_at=None)
    conversation = ConversationFactory(customer=order.customer)
    do_link_order(order, actor=agent, now=now, conversation=conversation)
    _said(conversation, "我的订单什么时候能发货？")  # analysed without an intent: the question itself counts
    ctx, items = suggestions(conversation, agent)
    first = items[0]
    # The order's own dispatch and arrival window, from kefu.aftersales.estimate, comes first,
    from kefu.aftersales.selectors import estimate_for

    e = estimate_for(order)
    assert first.kind == "anticipate"
    assert first.key == "order_estimate"
    assert first.id is None
    assert order.number in first.text
    assert f"{e.arrive_from:%m-%d}" in first.text
    assert f"{e.arrive_by:%m-%d}" in first.text
    assert "发货" in first.text
    assert "到货" in first.text
    # the stage follows the order (paid, not shipped: in the sale), and the generic 3–5 days is not repeated.
    assert ctx.stage == "in_sale"
    assert ctx.stage_inferred
    assert "logistics_delivery_time" not in [s.key for s in items]


def test_angry_about_a_late_order_soothes_first_then_gives_the_estimate(roles):
    agent = roles["reception"]
    now = clock.now()
    order = CaseOrderFactory(status="paid", paid_at=now - timedelta(days=3), delivered_at=None)
    conversation = ConversationFactory(customer=order.customer)
    do_link_order(order, actor=agent, now=now, conversation=conversation)
    _said(conversation, "怎么还不发货！！！再不发我就投诉", emotion="angry", intent="hurry", cues=["投诉"])
    _ctx, items = suggestions(conversation, agent, limit=12)
    assert "logistics_delivery_time" not in [s.key for s in items]  # the order's own dates instead
    kinds = [s.kind for s in items]
    assert kinds[: len(SOOTHE_KEYS)] == ["soothe"] * len(SOOTHE_KEYS)
    assert kinds[len(SOOTHE_KEYS)] == "anticipate"


def test_an_unanalysed_message_is_not_analysed_here(roles, django_assert_max_num_queries):
    conversation = ConversationFactory(stage="pre_sale")
    MessageFactory(conversation=conversation, text="质量太差了！！！我要投诉你们")
    from kefu.core.text import embed

    before = embed.stats()
    ctx, items = suggestions(conversation, roles["reception"])
    # Read, never recompute: no stored analysis → the emotion is unknown and the stage decides.
    assert ctx.pending
    assert not ctx.analysed
    assert ctx.emotion == ""
    assert embed.stats() == before
    assert items
    assert all(s.kind == "stage" for s in items)


def test_variables_are_filled_for_the_conversation(roles):
    agent = roles["reception"]
    conversation = ConversationFactory(stage="pre_sale")
    _said(conversation, "你好", intent="greeting")
    _ctx, items = suggestions(conversation, agent)
    welcome = next(s for s in items if s.key == "welcome_consult_shop")
    assert agent.display_name in welcome.text
    assert "{客服名}" not in welcome.text


def test_endpoint_answers_the_panel_and_json(client, roles):
    agent = roles["reception"]
    conversation = ConversationFactory(stage="after_sale")
    _said(conversation, "收到的东西坏了，太气人了", emotion="unhappy", intent="quality")
    client.force_login(agent)
    url = reverse("web:assist-suggestions", args=[conversation.pk])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-assist-insert="' in html
    assert "data-canned-id" in html
    data = client.get(url, {"format": "json"}).json()
    assert data["emotion"] == "unhappy"
    assert data["suggestions"][0]["kind"] == "soothe"
    assert client.get(reverse("web:assist-suggestions", args=[999999])).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_the_panels_context_line_has_no_stray_separator(client, roles):
    import re

    client.force_login(roles["reception"])
    conversation = ConversationFactory(stage="pre_sale")  # no customer message yet, no order
    html = client.get(reverse("web:assist-suggestions", args=[conversation.pk])).content.decode()
    line = re.sub(r"<[^>]+>", "", re.search(r'<p class="assist-context muted">(.*?)</p>', html, re.S).group(1)).strip()
    assert line
    assert not line.startswith("·")
    assert not line.endswith("·")
