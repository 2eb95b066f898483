"""The agent's cockpit on ``/`` (issue 15): the list ordered by need, the chat's pane, transfer, invite and
whisper from the side panel, and the conversation defects (tab counts, the last message instead of the
first, one timer on a new chat)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from kefu.accounts.choices import Role
from kefu.assist.models import MessageEmotion
from kefu.conversations.actions import do_assign, do_post_message, do_start_conversation
from kefu.conversations.cockpit import cockpit_context
from kefu.conversations.models import Message, Participant
from kefu.core import clock
from kefu.customers.choices import VipTier
from tests.factories import ChannelFactory, CustomerFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

T0 = clock.now().replace(microsecond=0)


def chat(agent, name, *, at, text="你好", vip=VipTier.NONE, answered=True):
    customer = CustomerFactory(name=name, vip_tier=vip)
    conversation = do_start_conversation(ChannelFactory(key="web-cockpit"), customer, now=at)
    do_post_message(conversation, author_kind="customer", text="在吗", now=at)
    if agent is not None:
        do_assign(conversation, assignee=agent, team=None, actor=None, now=at)
    if answered:
        do_post_message(conversation, author_kind="agent", author=agent, text="您好，在的", now=at)
        conversation.refresh_from_db()
        conversation.agent_read_upto = conversation.messages.order_by("-id").first().pk
        conversation.save(update_fields=["agent_read_upto"])
    if text:
        do_post_message(conversation, author_kind="customer", text=text, now=at + timedelta(seconds=1))
    conversation.refresh_from_db()
    return conversation


def test_the_list_puts_who_needs_me_most_first():
    agent = UserFactory(username="ck-agent")
    with time_machine.travel(T0, tick=False):
        quiet = chat(agent, "安静", at=T0 - timedelta(minutes=9), text="")  # answered, nothing new
        late = chat(agent, "久等", at=T0 - timedelta(minutes=5))  # waiting 5 min
        fresh = chat(agent, "刚来", at=T0 - timedelta(minutes=1))  # waiting 1 min
        angry = chat(agent, "生气", at=T0 - timedelta(minutes=1))
        vip = chat(agent, "贵宾", at=T0 - timedelta(minutes=1), vip=VipTier.GOLD)
        for c in (fresh, angry, vip):  # the same wait: then unread, angry, VIP decide
            c.waiting_since = T0 - timedelta(minutes=1)
            c.save(update_fields=["waiting_since"])
        last = angry.messages.filter(author_kind="customer").order_by("-id").first()
        MessageEmotion.objects.create(message=last, conversation=angry, emotion="angry", score=0.9, created_at=T0)
        do_post_message(fresh, author_kind="customer", text="还在吗", now=T0)  # two unread
        order = [c.pk for c in cockpit_context(agent)["mine"]]
    assert order == [late.pk, fresh.pk, angry.pk, vip.pk, quiet.pk]
    rows = {c.pk: c for c in cockpit_context(agent)["mine"]}
    assert rows[fresh.pk].unread == 2
    assert rows[fresh.pk].preview == "还在吗"
    assert rows[angry.pk].emotion == "angry"
    assert rows[quiet.pk].preview == "您好，在的"
    assert rows[quiet.pk].preview_kind == "agent"


def test_the_queue_shows_chats_of_my_teams_only(client):
    agent = UserFactory(username="ck-q", role=Role.RECEPTION)
    mine, other = TeamFactory(name="售前"), TeamFactory(name="售后")
    mine.members.add(agent, through_defaults={"joined_at": T0})
    with time_machine.travel(T0, tick=False):
        a = chat(None, "甲", at=T0, answered=False)
        b = chat(None, "乙", at=T0, answered=False)
    type(a).objects.filter(pk=a.pk).update(team=mine, queued_at=T0)
    type(b).objects.filter(pk=b.pk).update(team=other, queued_at=T0)
    assert [c.pk for c in cockpit_context(agent)["queue"]] == [a.pk]


def test_agent_home_is_the_cockpit_and_a_pane_switches_chats(client):
    agent = UserFactory(username="ck-home", role=Role.RECEPTION)
    with time_machine.travel(T0, tick=False):
        one = chat(agent, "王先生", at=T0 - timedelta(seconds=30))
        two = chat(agent, "李女士", at=T0 - timedelta(seconds=10), text="发货了吗")
    client.force_login(agent)
    page = client.get("/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="pane-list"' in html
    assert "王先生" in html
    assert "李女士" in html
    assert "发货了吗" in html
    # live times are formatted in KEFU_TIME_ZONE (the page hands it to workspace.js), as reloaded ones are
    from django.conf import settings

    assert f'"tz": "{settings.TIME_ZONE}"' in html
    assert 'id="pane-thread"' in html
    assert 'id="pane-side"' in html
    # the pane of one chat: its thread and its customer, returning to the cockpit after a form
    pane = client.get(f"/conversations/{two.pk}/pane/").content.decode()
    assert 'class="thread"' in pane
    assert 'aside class="side"' in pane
    assert "发货了吗" in pane
    assert f'name="next" value="/?c={two.pk}"' in pane
    # opening it marks the customer's messages read
    two.refresh_from_db()
    assert two.agent_read_upto == two.messages.order_by("-id").first().pk
    # /?c= opens a chat with the page
    assert f'data-conversation="{one.pk}"' in client.get(f"/?c={one.pk}").content.decode()
    # the full conversation page still works on its own, and its refresh keeps it there
    assert "next" not in client.get(f"/conversations/{one.pk}/pane/?standalone=1").content.decode().split("composer")[0]


def test_inbox_tabs_all_count_chats_and_show_the_last_message(client):
    agent = UserFactory(username="ck-inbox", role=Role.RECEPTION)
    with time_machine.travel(T0, tick=False):
        c = chat(agent, "周先生", at=T0, text="第一句")
        do_post_message(c, author_kind="customer", text="第二句", now=T0 + timedelta(seconds=2))
        do_post_message(c, author_kind="customer", text="最后一句", now=T0 + timedelta(seconds=3))
    client.force_login(agent)
    response = client.get("/inbox/?view=mine")
    # 我的 counts chats (one), not unread messages (three)
    assert response.context["counts"]["mine"] == 1
    html = response.content.decode()
    assert "最后一句" in html
    assert "第一句" not in html  # the column shows the last message, not the first


def test_a_new_chat_shows_one_timer():
    from django.test import Client

    agent = UserFactory(username="ck-timer", role=Role.RECEPTION)
    with time_machine.travel(T0, tick=False):
        c = chat(agent, "新客", at=T0, answered=False)
    client = Client()
    client.force_login(agent)
    html = client.get(f"/conversations/{c.pk}/").content.decode()
    timers = [part.split(">")[0] for part in html.split('class="sla-timer"')[1:]]
    visible = [t for t in timers if "hidden" not in t]
    assert len(timers) == 2
    assert len(visible) == 1
    assert 'data-kind="greet"' in visible[0]
    # once greeted, the greeting timer goes and the answer timer takes over when the customer writes
    with time_machine.travel(T0 + timedelta(seconds=5), tick=False):
        do_post_message(c, author_kind="agent", author=agent, text="您好", now=clock.now())
        do_post_message(c, author_kind="customer", text="请问", now=clock.now())
    html = client.get(f"/conversations/{c.pk}/").content.decode()
    timers = [part.split(">")[0] for part in html.split('class="sla-timer"')[1:]]
    visible = [t for t in timers if "hidden" not in t]
    assert len(visible) == 1
    assert 'data-kind="reply"' in visible[0]
    cockpit_row = cockpit_context(agent)["mine"][0]
    assert cockpit_row.timer["kind"] == "reply"


def test_transfer_invite_and_whisper_from_the_side_panel(client):
    agent = UserFactory(username="ck-a", role=Role.RECEPTION)
    colleague = UserFactory(username="ck-b", role=Role.RECEPTION)
    helper = UserFactory(username="ck-c", role=Role.SALES)
    boss = UserFactory(username="ck-boss", role=Role.SUPERVISOR)
    with time_machine.travel(T0, tick=False):
        c = chat(agent, "赵先生", at=T0)
    client.force_login(agent)
    back = f"/?c={c.pk}"
    # invite a colleague: they see the chat in their cockpit
    r = client.post(f"/conversations/{c.pk}/invite/", {"user": helper.pk, "next": back})
    assert r.status_code == 302
    assert r["Location"] == back
    assert Participant.objects.filter(conversation=c, user=helper).exists()
    assert c.pk in [x.pk for x in cockpit_context(helper)["mine"]]
    # inviting twice is refused with a message, not an error page
    r = client.post(f"/conversations/{c.pk}/invite/", {"user": helper.pk}, follow=True)
    assert r.status_code == 200
    assert Participant.objects.filter(conversation=c).count() == 1
    # an agent may not whisper (a supervisor's tool)
    client.post(f"/conversations/{c.pk}/whisper/", {"text": "先道歉"})
    assert not Message.objects.filter(conversation=c, text__contains="先道歉").exists()
    # transfer with a note: the colleague serves it, the note is internal
    client.post(f"/conversations/{c.pk}/transfer/", {"assignee": colleague.pk, "note": "客户要发票"})
    c.refresh_from_db()
    assert c.assignee == colleague
    note = Message.objects.get(conversation=c, text="客户要发票")
    assert note.is_internal
    # the supervisor whispers from the same screen: internal, never to the customer
    client.force_login(boss)
    client.post(f"/conversations/{c.pk}/whisper/", {"text": "先道歉再查单"})
    whisper = Message.objects.get(conversation=c, text__contains="先道歉再查单")
    assert whisper.is_internal
    assert whisper.author == boss
    page = client.get(f"/conversations/{c.pk}/").content.decode()  # a supervisor lands on the team's chats
    assert 'data-collab="whisper"' in page


def test_transfer_needs_a_target():
    from kefu.conversations.collab import check_transfer
    from kefu.core.errors import ValidationFailed

    agent = UserFactory(username="ck-t", role=Role.RECEPTION)
    with time_machine.travel(T0, tick=False):
        c = chat(agent, "钱先生", at=T0)
    with pytest.raises(ValidationFailed):
        check_transfer(c, actor=agent, note="给谁？")


def test_pick_next_from_the_cockpit_opens_the_chat_in_the_cockpit(client):
    agent = UserFactory(username="ck-pick", role=Role.RECEPTION)
    with time_machine.travel(T0, tick=False):
        waiting = chat(None, "排队客", at=T0, answered=False)
    type(waiting).objects.filter(pk=waiting.pk).update(queued_at=T0)
    client.force_login(agent)
    assert "排队客" in client.get("/").content.decode()  # in the queue I may take
    r = client.post("/inbox/pick/", {"next": "/"})
    assert r["Location"] == f"/?c={waiting.pk}"
    waiting.refresh_from_db()
    assert waiting.assignee == agent


def test_a_reply_posted_by_the_cockpit_gets_json(client):
    agent = UserFactory(username="ck-json", role=Role.RECEPTION)
    with time_machine.travel(T0, tick=False):
        c = chat(agent, "孙先生", at=T0)
    client.force_login(agent)
    ok = client.post(f"/conversations/{c.pk}/reply/", {"text": "好的，马上为您查询"}, HTTP_X_REQUESTED_WITH="fetch")
    assert ok.status_code == 200
    assert Message.objects.get(pk=ok.json()["message"]).text == "好的，马上为您查询"
    bad = client.post(f"/conversations/{c.pk}/reply/", {"text": ""}, HTTP_X_REQUESTED_WITH="fetch")
    assert bad.status_code == 400
    assert set(bad.json()) >= {"error", "message"}
