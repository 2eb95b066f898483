"""Tickets in full: list filters, saved views, bulk actions, the timeline, merge/split/link,
custom fields per type and @mentions."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from kefu.core.errors import PermissionDenied, ValidationFailed
from kefu.core.models import Notification
from kefu.sla.sweep import sweep
from kefu.tickets import actions
from kefu.tickets.models import SavedView, Ticket
from tests.factories import (
    ConversationFactory,
    CustomerFactory,
    MessageFactory,
    TeamFactory,
    TicketFieldFactory,
)

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2025, 3, 3, 10, tzinfo=SH)


def create(**kwargs):
    kwargs.setdefault("subject", "光模块无法识别")
    now = kwargs.pop("now", T0)
    return actions.do_create_ticket(kwargs.pop("customer", None) or CustomerFactory(), now=now, **kwargs)


@pytest.fixture
def agent(roles):
    return roles["supervisor"]


def test_list_filters(client, agent):
    team = TeamFactory()
    wang = CustomerFactory(name="王芳")
    a = create(subject="退款未到账", type="refund", priority="high", team=team, customer=wang, source="phone")
    b = create(subject="安装预约", type="installation", now=T0 + timedelta(days=3))
    actions.do_set_tags(b, ["上门"], actor=None, now=T0)
    client.force_login(agent)

    def listed(**query):
        body = client.get("/tickets/", query).content.decode()
        return {t.subject for t in (a, b) if t.subject in body}

    assert listed() == {"退款未到账", "安装预约"}
    assert listed(type="refund") == {"退款未到账"}
    assert listed(priority="high") == {"退款未到账"}
    assert listed(team=str(team.pk)) == {"退款未到账"}
    assert listed(tag="上门") == {"安装预约"}
    assert listed(customer="王芳") == {"退款未到账"}
    assert listed(channel="phone") == {"退款未到账"}
    assert listed(assignee="none") == {"退款未到账", "安装预约"}
    assert listed(created_from="2025-03-05") == {"安装预约"}
    assert listed(created_to="2025-03-04") == {"退款未到账"}
    assert listed(q=f"#{b.pk}") == {"安装预约"}
    assert listed(status="resolved") == set()
    # SLA state filters follow the clock: three days later the first ticket's 4-hour hotline target is breached.
    with time_machine.travel(T0 + timedelta(days=3, hours=1), tick=False):
        assert listed(sla="breached") == {"退款未到账"}
        assert "sla-breached" in client.get("/tickets/", {"sla": "breached"}).content.decode()


def test_saved_views(client, roles):
    owner, other = roles["aftersales"], roles["sales"]
    view = actions.check_save_view(actor=owner, name="我的退款", query="type=refund")
    client.force_login(owner)
    assert "我的退款" in client.get("/tickets/").content.decode()
    client.force_login(other)
    assert "我的退款" not in client.get("/tickets/").content.decode()
    with pytest.raises(PermissionDenied):
        actions.check_delete_view(view, actor=other)
    with pytest.raises(PermissionDenied):
        actions.check_save_view(actor=other, name="共享", query="q=x", shared=True)
    shared = actions.check_save_view(actor=roles["supervisor"], name="全员视图", query="priority=urgent", shared=True)
    assert "全员视图" in client.get("/tickets/").content.decode()
    # Saving from the page keeps the filters and shows the view.
    client.force_login(owner)
    response = client.post("/tickets/views/", {"name": "加急", "query": "priority=urgent"})
    assert response.status_code == 302
    assert SavedView.objects.filter(owner=owner, name="加急", query="priority=urgent").exists()
    assert shared.shared


def test_bulk_actions_go_through_checked_actions(client, roles):
    tickets = [create(subject=f"批量{i}") for i in range(3)]
    client.force_login(roles["aftersales"])
    ids = [str(t.pk) for t in tickets]
    client.post("/tickets/bulk/", {"ids": ids, "op": "assign:me"})
    client.post("/tickets/bulk/", {"ids": ids[:2], "op": "priority:urgent"})
    client.post("/tickets/bulk/", {"ids": ids[:1], "op": "tag:", "tag": "批处理"})
    refreshed = list(Ticket.objects.filter(pk__in=ids).order_by("pk"))
    assert {t.assignee for t in refreshed} == {roles["aftersales"]}
    assert [t.priority for t in refreshed] == ["urgent", "urgent", "normal"]
    assert actions.tag_list(refreshed[0]) == ["批处理"]
    # Cancelling needs a supervisor: the after-sales agent's bulk cancel changes nothing and says why.
    response = client.post("/tickets/bulk/", {"ids": ids, "op": "event:cancel"}, follow=True)
    assert {t.status for t in Ticket.objects.filter(pk__in=ids)} == {"open"}
    assert "permission" in response.content.decode() or "权限" in response.content.decode()


def test_timeline_has_messages_remarks_events_and_sla_milestones(client, roles):
    conversation = ConversationFactory()
    MessageFactory(conversation=conversation, text="电饭煲内胆掉涂层", author_kind="customer")
    MessageFactory(conversation=conversation, text="已登记，马上处理", author_kind="agent")
    with time_machine.travel(T0, tick=False):
        ticket = create(conversation=conversation, customer=conversation.customer, source="email")
        actions.check_add_ticket_remark(ticket, "@u_aftersales 请跟进", actor=roles["supervisor"])
    client.force_login(roles["supervisor"])
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        body = client.get(f"/tickets/{ticket.pk}/").content.decode()
    for text in ("电饭煲内胆掉涂层", "已登记，马上处理", "请跟进", "ticket.created"):
        assert text in body
    assert 'class="mention"' in body  # the mention is highlighted
    assert "tl-sla" in body  # the first-response deadline ahead
    # The mentioned colleague was notified.
    assert Notification.objects.filter(user=roles["aftersales"], kind="mention", ticket=ticket).count() == 1


def test_sla_warning_and_breach_appear_on_the_timeline(client, roles):
    ticket = create()
    sweep(T0 + timedelta(days=2))
    client.force_login(roles["supervisor"])
    body = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "sla.warning" in body
    assert "sla.breached" in body


def test_merge_moves_remarks_and_cancels_the_source(roles):
    customer = CustomerFactory()
    keep, dup = create(customer=customer, subject="保留"), create(customer=customer, subject="重复", description="细节")
    actions.do_add_ticket_remark(dup, "客户又来电", author=None, now=T0)
    actions.check_merge_tickets(dup, keep, actor=roles["supervisor"])
    dup.refresh_from_db()
    assert dup.status == "cancelled"
    assert dup.merged_into == keep
    texts = [r.text for r in keep.remarks.all()]
    assert "客户又来电" in texts
    assert any("重复" in t and "细节" in t for t in texts)
    with pytest.raises(ValidationFailed):
        actions.check_merge_tickets(create(), keep, actor=roles["supervisor"])  # another customer
    with pytest.raises(ValidationFailed):
        actions.check_merge_tickets(keep, keep, actor=roles["supervisor"])


def test_split_and_link(roles):
    ticket = create(subject="整机维修")
    part = actions.check_split_ticket(ticket, actor=roles["aftersales"], subject="更换电源")
    assert part.customer_id == ticket.customer_id
    assert ticket.links_out.get().target == part
    parent = create(subject="项目总单", customer=ticket.customer)
    actions.check_link_tickets(ticket, parent, actor=roles["aftersales"], kind="parent")
    ticket.refresh_from_db()
    assert ticket.parent == parent
    with pytest.raises(ValidationFailed):
        actions.check_link_tickets(parent, ticket, actor=roles["aftersales"], kind="parent")  # a cycle
    actions.check_link_tickets(ticket, parent, actor=roles["aftersales"], kind="unlink")
    ticket.refresh_from_db()
    assert ticket.parent is None


def test_custom_fields_per_ticket_type(roles):
    TicketFieldFactory(ticket_type="repair", key="serial", label="序列号", required=True)
    TicketFieldFactory(ticket_type="repair", key="bought", label="购买日期", kind="date")
    TicketFieldFactory(ticket_type="repair", key="fault", label="故障", kind="choice", choices="不开机\n异响")
    repair = create(type="repair")
    agent = roles["technician"]
    actions.check_set_custom_fields(repair, {"serial": "SN123", "bought": "2025-01-02", "fault": "异响"}, actor=agent)
    assert Ticket.objects.get(pk=repair.pk).custom == {"serial": "SN123", "bought": "2025-01-02", "fault": "异响"}
    for bad in ({"serial": ""}, {"serial": "x", "bought": "yesterday"}, {"serial": "x", "fault": "冒烟"}, {"x": 1}):
        with pytest.raises(ValidationFailed):
            actions.check_set_custom_fields(repair, bad, actor=agent)
    # Another type has none of these fields.
    with pytest.raises(ValidationFailed):
        actions.check_set_custom_fields(create(type="refund"), {"serial": "x"}, actor=agent)


def test_mention_of_oneself_or_unknown_names_notifies_nobody(roles):
    ticket = create()
    actions.check_add_ticket_remark(ticket, "@u_supervisor @nobody 记录", actor=roles["supervisor"])
    assert not Notification.objects.filter(kind="mention").exists()


def test_detail_page_forms(client, roles):
    TicketFieldFactory(ticket_type="repair", key="serial", label="序列号")
    ticket = create(type="repair")
    client.force_login(roles["supervisor"])
    with time_machine.travel(T0, tick=False):
        client.post(f"/tickets/{ticket.pk}/fields/", {"cf_serial": "SN9"})
        client.post(f"/tickets/{ticket.pk}/tags/", {"tags": "加急，VIP"})
        client.post(f"/tickets/{ticket.pk}/sla/", {"op": "appointment", "appointment_at": "2025-03-05T09:30"})
        client.post(f"/tickets/{ticket.pk}/sla/", {"op": "contact", "how": "phone"})
    ticket.refresh_from_db()
    assert ticket.custom == {"serial": "SN9"}
    assert actions.tag_list(ticket) == ["加急", "VIP"]
    assert ticket.appointment_at == datetime(2025, 3, 5, 9, 30, tzinfo=SH)
    assert ticket.first_responded_at == T0
    other = create(customer=ticket.customer)
    response = client.post(f"/tickets/{other.pk}/merge/", {"other": f"#{ticket.pk}"})
    assert response.url == f"/tickets/{ticket.pk}/"
    split = client.post(f"/tickets/{ticket.pk}/split/", {"subject": "备件"})
    assert split.status_code == 302
    assert Ticket.objects.filter(subject="备件").exists()


def test_notifications_page_and_mark_read(client, roles):
    agent = roles["aftersales"]
    ticket = create(assignee=agent)
    sweep(T0 + timedelta(days=2))  # warning and breach notify the assignee
    client.force_login(agent)
    body = client.get("/notifications/").content.decode()
    assert f"/tickets/{ticket.pk}/" in body
    assert Notification.objects.filter(user=agent, read_at__isnull=True).count() == 2
    client.post("/notifications/read/")
    assert Notification.objects.filter(user=agent, read_at__isnull=True).count() == 0
    assert f"/tickets/{ticket.pk}/" not in client.get("/notifications/").content.decode()
    assert f"/tickets/{ticket.pk}/" in client.get("/notifications/", {"all": "1"}).content.decode()
