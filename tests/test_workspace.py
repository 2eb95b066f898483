"""The agent workspace's pages and forms (server-rendered), as a signed-in agent sees them."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from kefu import demo
from kefu.accounts.models import User
from kefu.conversations.models import Conversation
from kefu.tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded():
    demo.load()


def _login(client, username="agent"):
    client.force_login(User.objects.get(username=username))


def test_login_page_is_chinese_by_default(client):
    # Given a browser that prefers English, the workspace still opens in zh-Hans (Chinese first).
    page = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="zh-CN"' in page
    assert "登录" in page


@pytest.mark.parametrize("view", ["mine", "unassigned", "teams", "all"])
def test_inbox_views(client, loaded, view):
    _login(client)
    # Given the demo, when the agent opens each inbox view, then it lists what that view means.
    response = client.get(f"/inbox/?view={view}")
    assert response.status_code == 200
    shown = {c.pk for c in response.context["page"]}
    agent = User.objects.get(username="agent")
    active = Conversation.objects.filter(status__in=["open", "pending"])
    expected = {
        "mine": active.filter(assignee=agent),
        "unassigned": active.filter(assignee__isnull=True),
        "teams": active.filter(team__in=agent.teams.all()),
        "all": active,
    }[view]
    assert shown == set(expected.values_list("pk", flat=True))
    assert shown  # the demo fills every view


def test_agent_replies_and_creates_a_ticket_from_a_conversation(client, loaded):
    _login(client)
    conversation = Conversation.objects.get(subject="退货咨询")
    # When the agent sends a reply from the composer,
    client.post(
        f"/conversations/{conversation.pk}/reply/", {"text": "高小姐您好，请问是哪个订单呢？", "client_id": "k1"}
    )
    # and creates a ticket from the conversation,
    response = client.post(
        f"/tickets/new/?conversation={conversation.pk}",
        {"subject": "退货申请", "type": "return_exchange", "priority": "high", "description": "七天无理由"},
    )
    ticket = Ticket.objects.get(subject="退货申请")
    # then both are stored, linked, and the ticket page shows its audit trail.
    assert response.status_code == 302
    assert conversation.messages.filter(text__startswith="高小姐您好").exists()
    assert (ticket.conversation_id, ticket.customer_id, ticket.priority) == (
        conversation.pk,
        conversation.customer_id,
        "high",
    )
    page = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "ticket.created" in page


def test_forbidden_action_in_the_ui_shows_an_error_and_changes_nothing(client, loaded):
    _login(client, "finance")
    conversation = Conversation.objects.get(subject="退货咨询")
    before = conversation.messages.count()
    response = client.post(f"/conversations/{conversation.pk}/reply/", {"text": "已退款"}, follow=True)
    assert conversation.messages.count() == before
    assert "权限" in response.content.decode()  # 您没有执行此操作的权限


def test_language_choice_is_remembered_on_the_account(client, loaded):
    _login(client)
    client.post("/language/", {"language": "zh-hant", "next": "/inbox/"})
    assert User.objects.get(username="agent").language == "zh-hant"
    # A new session without the cookie (another device) opens in the saved language.
    other = type(client)()
    _login(other)
    assert 'lang="zh-TW"' in other.get("/inbox/").content.decode()


def test_customer_page_and_search(client, loaded):
    _login(client)
    results = client.get("/customers/?q=13800138000").context["page"]
    assert [c.name for c in results] == ["张伟"]
    page = client.get(f"/customers/{results[0].pk}/").content.decode()
    assert "纸质发票" in page  # the special-request remark is on the customer page
    assert "圆通" in page  # the usual courier (VIP memory, R17)


def test_token_command_prints_a_working_token(client, loaded):
    out = io.StringIO()
    call_command("token", "create", "agent", stdout=out)
    token = out.getvalue().strip()
    assert token.startswith("kefu_")
    me = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert me.json()["username"] == "agent"


def test_audit_trail_reads_in_the_ui_language(client, loaded):
    _login(client)
    ticket = Ticket.objects.get(subject="光纤收发器无法连线，需工程师远程指导")
    page = client.get(f"/tickets/{ticket.pk}/").content.decode()
    # Given a ticket that was created, assigned, started and set waiting, its trail reads in Chinese.
    assert "工单已创建" in page
    assert "新建 → 处理中" in page
    assert "ticket.created" not in page.replace('title="ticket.created"', "")


def test_customer_page_edits_go_through_actions(client, loaded):
    from kefu.core.events import audit_trail
    from kefu.customers.models import Customer

    _login(client)
    customer = Customer.objects.get(name="李娜")
    base = f"/customers/{customer.pk}"
    # Given a reception agent, when they edit the profile, tags and contacts,
    client.post(
        f"{base}/profile/",
        {
            "name": "李娜",
            "gender": "female",
            "salutation": "",
            "company": "杭州光电",
            "customer_type": "permanent",
            "score": "66",
            "usual_courier": "中通",
        },
    )
    client.post(f"{base}/tags/", {"tags": "老客户，光模块"})
    client.post(f"{base}/identity/", {"kind": "phone", "value": "139 0000 1234"})
    client.post(
        f"{base}/address/",
        {"name": "李娜", "phone": "13900001234", "province": "浙江省", "city": "杭州市", "detail": "滨江区 1 号"},
    )
    customer.refresh_from_db()
    assert (customer.company, customer.score, customer.usual_courier) == ("杭州光电", 66, "中通")
    assert customer.display_salutation == "李女士"
    assert sorted(t.name for t in customer.tags.all()) == ["光模块", "老客户"]
    assert customer.identities.filter(kind="phone", value="13900001234").exists()
    assert customer.addresses.get().is_default
    verbs = set(audit_trail(customer).values_list("verb", flat=True))
    assert {"customer.updated", "customer.tags", "customer.identity_added", "customer.address_added"} <= verbs
    # but the VIP tier is a supervisor's decision: refused, unchanged.
    client.post(f"{base}/vip/", {"vip_tier": "3"}, follow=True)
    customer.refresh_from_db()
    assert customer.vip_tier == 0


def test_supervisor_merges_a_duplicate_from_the_customer_page(client, loaded):
    from kefu.customers.models import Customer

    _login(client, "supervisor")
    target = Customer.objects.get(name="王强")
    duplicate = Customer.objects.get(name="李娜")
    client.post(f"/customers/{target.pk}/merge/", {"source": f"#{duplicate.pk}"})
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id == target.pk
    # the duplicate's page now leads to the merged customer
    assert client.get(f"/customers/{duplicate.pk}/").url == f"/customers/{target.pk}/"


def test_ticket_edit_and_conversation_classify(client, loaded):
    _login(client, "aftersales")
    ticket = Ticket.objects.get(subject="开具 20 个 SFP+ 模块的增值税专用发票")
    client.post(
        f"/tickets/{ticket.pk}/edit/",
        {"subject": "开具增值税专用发票", "type": "billing", "priority": "urgent", "stage": "after_sale"},
    )
    ticket.refresh_from_db()
    assert (ticket.subject, ticket.priority, ticket.stage) == ("开具增值税专用发票", "urgent", "after_sale")
    conversation = Conversation.objects.get(subject="光模块兼容性")
    client.post(
        f"/conversations/{conversation.pk}/classify/",
        {"service_class": "demonstration", "stage": "pre_sale", "priority": "high"},
    )
    conversation.refresh_from_db()
    assert (conversation.service_class, conversation.priority) == ("demonstration", "high")


def test_unknown_language_is_refused_and_secure_cookie_behind_https(client, loaded, settings):
    _login(client)
    response = client.post("/language/", {"language": "klingon", "next": "/inbox/"}, follow=True)
    assert "未知的语言" in response.content.decode()
    assert User.objects.get(username="agent").language == ""
    settings.LANGUAGE_COOKIE_SECURE = True  # what KEFU_HTTPS=true sets
    response = client.post("/language/", {"language": "en", "next": "/inbox/"})
    assert response.cookies["kefu_language"]["secure"] is True
