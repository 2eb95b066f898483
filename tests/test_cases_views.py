"""The after-sales screens: workbench (nearest deadline first, overdue marked), case page with
only the buttons the state and role allow, the new-case form with photos, the finance queue
(green channel first), compensation pages and the cost report."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from kefu.cases import actions
from kefu.cases.models import Case, Compensation
from kefu.core import clock
from kefu.core.events import audit_trail
from kefu.core.tasks import sweep_once
from tests.factories import ConversationFactory
from tests.factories_cases import CaseOrderFactory, OrderLineFactory

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def login(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user


def _case(roles, **kw):
    order = kw.pop("order", None) or CaseOrderFactory()
    fields = {"kind": "return_refund", "reason": "other", "amount": "50", "photos": []}
    fields.update(kw)
    return actions.check_create_case(order, actor=roles["aftersales"], **fields)


def test_workbench_orders_by_deadline_and_marks_overdue(login, roles):
    # Given three open cases: one overdue, one due soon, one finished,
    late, soon, done = _case(roles), _case(roles), _case(roles)
    Case.objects.filter(pk=late.pk).update(due_at=clock.now() - timedelta(hours=2))
    Case.objects.filter(pk=soon.pk).update(due_at=clock.now() + timedelta(hours=3))
    actions.check_fire_event(done, "refuse", actor=roles["aftersales"], reason="不符")
    # when the workbench is opened, then the overdue one comes first, in red, and the finished one is gone.
    html = login(roles["reception"]).get("/cases/").content.decode()
    assert html.index(late.number) < html.index(soon.number)
    assert done.number not in html
    assert 'class="overdue"' in html
    assert "due-overdue" in html
    # Filters: by kind, by owner, by status.
    assert late.number not in login(roles["reception"]).get("/cases/?kind=exchange").content.decode()
    assert done.number in login(roles["reception"]).get("/cases/?status=refused").content.decode()
    assert late.number in login(roles["aftersales"]).get("/cases/?owner=me").content.decode()


def test_case_page_shows_deadline_consequence_and_only_allowed_buttons(login, roles):
    case = _case(roles)
    # Given a new case, an after-sales agent sees agree / refuse / close and what happens at the deadline;
    html = login(roles["aftersales"]).get(f"/cases/{case.pk}/").content.decode()
    assert 'data-event="agree"' in html
    assert 'data-event="refuse"' in html
    assert "平台将自动同意" in html  # zh-Hans, the default language
    # finance and reception see no buttons on it.
    for role in ("finance", "reception"):
        html = login(roles[role]).get(f"/cases/{case.pk}/").content.decode()
        assert "data-event=" not in html


def test_new_case_from_a_conversation_with_a_photo(login, roles):
    line = OrderLineFactory()
    conversation = ConversationFactory(customer=line.order.customer)
    client = login(roles["reception"])
    # Given a conversation, the form offers the customer's orders,
    page = client.get(f"/cases/new/?conversation={conversation.pk}").content.decode()
    assert line.order.number in page
    # a quality claim without a photo is refused with the reason and nothing is created,
    form = {
        "order": line.order.pk,
        "conversation": conversation.pk,
        "kind": "return_refund",
        "reason": "quality",
        "amount": "99",
    }
    refused = client.post("/cases/new/", form)
    assert refused.status_code == 400
    assert "凭证照片" in refused.content.decode()  # zh-Hans: needs evidence photos
    assert not Case.objects.exists()
    # a non-image "photo" is refused too; with a real one the case opens and shows the photo.
    bad = client.post(
        "/cases/new/", {**form, "photos": SimpleUploadedFile("a.png", b"GIF? no", content_type="image/png")}
    )
    assert bad.status_code == 400
    assert not Case.objects.exists()
    ok = client.post(
        "/cases/new/",
        {
            **form,
            "order_line": line.pk,
            "photos": SimpleUploadedFile("裂纹.jpg", b"\xff\xd8\xff" + b"\x00" * 40, content_type="image/jpeg"),
        },
    )
    case = Case.objects.get()
    assert ok.status_code == 302
    assert ok["Location"] == f"/cases/{case.pk}/"
    assert (case.conversation, case.order_line, case.photos.count()) == (conversation, line, 1)


def test_agree_then_finance_pays_from_the_queue(login, roles):
    green, plain = _case(roles, kind="refund_only"), _case(roles, kind="refund_only")
    agent = login(roles["aftersales"])
    for case, green_flag in ((plain, ""), (green, "1")):
        agent.post(f"/cases/{case.pk}/event/", {"event": "agree"})
        agent.post(
            f"/cases/{case.pk}/event/", {"event": "request_payment", "remark": "客户着急", "green_channel": green_flag}
        )
    # the queue lists the green channel first, with pay buttons only for finance;
    assert 'data-event="pay"' not in agent.get("/cases/finance/").content.decode()
    finance = login(roles["finance"])
    html = finance.get("/cases/finance/").content.decode()
    assert html.index(green.number) < html.index(plain.number)
    # 执行退款 opens a confirmation with the amount and the customer; a bare "pay" does not pay,
    resp = finance.post(f"/cases/{green.pk}/event/", {"event": "pay", "next": "/cases/finance/"})
    assert resp["Location"] == f"/cases/{green.pk}/pay/"
    green.refresh_from_db()
    assert green.status == "payment_requested"
    confirm = finance.get(f"/cases/{green.pk}/pay/").content.decode()
    assert f"¥{green.amount}" in confirm
    assert str(green.customer) in confirm
    other = Client()
    other.force_login(roles["aftersales"])
    assert other.get(f"/cases/{green.pk}/pay/").status_code == 403
    # paying from the confirmation comes back to the queue; sending back without a reason is refused.
    resp = finance.post(f"/cases/{green.pk}/event/", {"event": "pay", "confirm": "1", "next": "/cases/finance/"})
    assert resp["Location"] == "/cases/finance/"
    finance.post(f"/cases/{plain.pk}/event/", {"event": "send_back", "next": "/cases/finance/"})
    green.refresh_from_db()
    plain.refresh_from_db()
    assert (green.status, plain.status) == ("refunded", "payment_requested")


def test_compensation_pages(login, roles):
    order = CaseOrderFactory()
    agent = login(roles["reception"])
    # one click: the ¥20 coupon for a delay,
    resp = agent.post("/compensations/new/", {"order": order.pk, "quick": "delay"})
    assert resp.status_code == 302
    assert Compensation.objects.get().amount == 20
    assert Compensation.objects.get().status == "approved"
    # above the limit it waits in the approval queue, which a supervisor works through;
    agent.post("/compensations/new/", {"order": order.pk, "kind": "money", "amount": "300", "reason": "lost_parcel"})
    pending = Compensation.objects.get(status="pending_approval")
    supervisor = login(roles["supervisor"])
    assert "approval-queue" in supervisor.get("/compensations/").content.decode()
    supervisor.post(f"/compensations/{pending.pk}/decide/", {"decision": "approve"})
    pending.refresh_from_db()
    assert pending.status == "approved"
    # and the cost report totals them (supervisors and finance only).
    report = supervisor.get("/compensations/report/").content.decode()
    assert "320.00" in report
    assert login(roles["reception"]).get("/compensations/report/").status_code == 403


def test_panels_beside_a_conversation_and_in_the_customer_file(login, roles):
    case = _case(roles)
    conversation = ConversationFactory(customer=case.customer)
    client = login(roles["reception"])
    html = client.get(f"/conversations/{conversation.pk}/").content.decode()
    assert case.number in html
    assert "/cases/new/?conversation=" in html
    assert case.number in client.get(f"/customers/{case.customer.pk}/").content.decode()


def test_demo_fills_the_workbench(login):
    # Given a fresh demo company,
    from kefu import demo
    from kefu.accounts.models import User
    from kefu.cases.transitions import MACHINES

    assert demo.load()
    # then every state of every kind has a case,
    present = set(Case.objects.values_list("kind", "status"))
    for kind, machine in MACHINES.items():
        assert {(kind, state) for state in machine.states} <= present, kind
    # deadlines run near and overdue, refunds wait for finance (one by the green channel), compensations wait,
    now = clock.now()
    assert Case.objects.filter(due_at__gt=now, due_at__lt=now + timedelta(hours=6)).count() >= 3
    # one answer deadline has passed: at the (next) sweep the platform agrees and refunds it.
    sweep_once(now)
    passed = Case.objects.get(kind="refund_only", reason="missing_item", amount=35)
    assert passed.status == "refunded"
    assert [a.actor for a in audit_trail(passed) if a.verb == "case.auto_agree"] == [None]
    assert Case.objects.filter(status="payment_requested", green_channel=True).exists()
    assert Compensation.objects.filter(status="pending_approval").count() >= 2
    # and the workbench shows them to the demo agent.
    html = login(User.objects.get(username="aftersales")).get("/cases/").content.decode()
    assert html.count("rowlink") >= 15
