"""The canned-reply library (话术库): defaults with notes, scopes, Traditional, usage counts."""

from __future__ import annotations

import pytest

from kefu.conversations.views import canned_for
from kefu.core import clock
from kefu.knowledge.canned import script_of
from kefu.knowledge.choices import CannedCategory, CannedScope
from kefu.knowledge.models import CannedReply
from tests.factories import CannedReplyFactory, ConversationFactory, MessageFactory, TeamFactory

pytestmark = pytest.mark.django_db


def test_default_library_covers_r20_with_notes_apart():
    # Given a fresh install, then every scenario of R20 has phrases,
    categories = set(CannedReply.objects.values_list("category", flat=True))
    assert set(CannedCategory.values) - {"other"} <= categories
    # and the seed authors' notes are moved out of the text into the note.
    reply = CannedReply.objects.get(key="stock_out_of_stock_similar")
    assert "给链接" not in reply.text
    assert reply.note == "给链接"
    quality = CannedReply.objects.get(key="quality_return_exchange")
    assert quality.text.endswith("换货哦。")
    assert "补偿" in quality.note
    assert not CannedReply.objects.filter(text__regex=r"[(（](表情|给链接|给连接)[)）]").exists()


def test_agent_sees_company_own_team_and_own_replies(roles):
    agent, other = roles["reception"], roles["sales"]
    team, other_team = TeamFactory(), TeamFactory()
    team.members.add(agent, through_defaults={"joined_at": clock.now()})
    # Given replies of every scope,
    mine = CannedReplyFactory(key="mine", scope=CannedScope.PERSONAL, owner=agent, shortcut="mine")
    theirs = CannedReplyFactory(key="theirs", scope=CannedScope.PERSONAL, owner=other, shortcut="theirs")
    ours = CannedReplyFactory(key="ours", scope=CannedScope.TEAM, team=team, shortcut="ours")
    not_ours = CannedReplyFactory(key="notours", scope=CannedScope.TEAM, team=other_team, shortcut="notours")
    # when the agent's picker is built for a conversation,
    items = canned_for(ConversationFactory(), agent)
    ids = {item["id"] for item in items}
    # then company, own team's and own replies are offered, never a colleague's or another team's.
    assert {mine.pk, ours.pk} <= ids
    assert CannedReply.objects.get(key="welcome_consult_shop").pk in ids
    assert not {theirs.pk, not_ours.pk} & ids


def test_picker_shows_traditional_to_a_traditional_customer(roles):
    agent = roles["reception"]
    conversation = ConversationFactory()
    # Given a customer who writes in Traditional characters,
    MessageFactory(conversation=conversation, text="請問這個產品還有貨嗎？運費怎麼算")
    # when the picker is built, then the phrases are in Traditional, the note separate.
    items = {item["shortcut"]: item for item in canned_for(conversation, agent)}
    assert items["yf"]["text"].startswith("您好，我們這邊是按照商品的重量")
    assert items["yh3"]["note"] == "给链接"
    # and a Simplified writer gets Simplified.
    simplified = ConversationFactory()
    MessageFactory(conversation=simplified, text="请问这个产品还有货吗")
    items = {item["shortcut"]: item for item in canned_for(simplified, agent)}
    assert items["yf"]["text"].startswith("您好，我们这边是按照商品的重量")


def test_script_detection():
    # Given texts, then Traditional is recognised only with real Traditional characters.
    assert script_of(["退貨運費誰出"]) == "zh-hant"
    assert script_of(["退货运费谁出"]) == "zh-hans"
    assert script_of(["ok"]) == "zh-hans"
    assert script_of([]) == "zh-hans"


def test_usage_is_counted_when_sent_and_only_for_visible_replies(client, roles):
    agent = roles["reception"]
    reply = CannedReply.objects.get(shortcut="hy1")
    hidden = CannedReplyFactory(key="hidden", scope=CannedScope.PERSONAL, owner=roles["sales"])
    client.force_login(agent)
    # Given the composer reports a reply sent with /hy1, then its count goes up by one.
    assert client.post(f"/kb/canned/{reply.pk}/used/").status_code == 204
    reply.refresh_from_db()
    assert reply.usage_count == 1
    # A colleague's personal reply is not counted; a GET does nothing.
    client.post(f"/kb/canned/{hidden.pk}/used/")
    hidden.refresh_from_db()
    assert hidden.usage_count == 0
    assert client.get(f"/kb/canned/{reply.pk}/used/").status_code == 405


def test_agent_creates_and_deletes_personal_replies(client, roles):
    agent = roles["reception"]
    client.force_login(agent)
    # Given an agent, when saving a personal reply, then it is theirs and shows in the library.
    client.post(
        "/kb/canned/",
        {"title": "我的问候", "text": "亲，在的～", "category": "welcome", "shortcut": "/wo1", "note": "熟客用"},
    )
    reply = CannedReply.objects.get(title="我的问候")
    assert (reply.scope, reply.owner, reply.shortcut) == (CannedScope.PERSONAL, agent, "wo1")
    assert "熟客用" in client.get("/kb/canned/").content.decode()
    # A bad shortcut or an empty text is refused; a colleague cannot delete it.
    client.post("/kb/canned/", {"title": "x", "text": "y", "shortcut": "a b!"})
    client.post("/kb/canned/", {"title": "x", "text": ""})
    assert CannedReply.objects.filter(owner=agent).count() == 1
    client.force_login(roles["sales"])
    client.post("/kb/canned/", {"op": "delete", "id": reply.pk})
    assert CannedReply.objects.filter(pk=reply.pk).exists()
    client.force_login(agent)
    client.post("/kb/canned/", {"op": "delete", "id": reply.pk})
    assert not CannedReply.objects.filter(pk=reply.pk).exists()
