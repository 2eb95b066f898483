"""Complaint pages: the conversation page suggests a complaint on the assist's cues and turns it
into one in one click; the register form, the detail page's steps, the staff record page."""

from __future__ import annotations

import pytest

from kefu.complaints.models import Complaint
from tests.factories import ConversationFactory, MessageFactory, TicketFactory
from tests.factories_complaints import ComplaintFactory

pytestmark = pytest.mark.django_db


def test_conversation_page_suggests_and_converts_in_one_click(client, roles):
    # Given a chat where the customer threatens a bad review and 12315,
    conversation = ConversationFactory()
    MessageFactory(conversation=conversation, text="再不退款我就给差评，还要打12315投诉你们！")
    client.force_login(roles["reception"])
    # when the agent opens it, then the panel suggests registering a complaint,
    page = client.get(f"/conversations/{conversation.pk}/").content.decode()
    assert 'id="turn-into-complaint"' in page
    assert "12315" in page.split('id="complaint-panel"')[1][:800]
    # and one click makes the complaint and opens it, with the chat's transcript.
    response = client.post(f"/complaints/from-conversation/{conversation.pk}/")
    complaint = Complaint.objects.get(conversation=conversation)
    assert response.status_code == 302
    assert response["Location"] == f"/complaints/{complaint.pk}/"
    detail = client.get(response["Location"]).content.decode()
    assert "再不退款我就给差评" in detail
    # and the conversation page now links to it instead.
    again = client.get(f"/conversations/{conversation.pk}/").content.decode()
    assert f"/complaints/{complaint.pk}/" in again
    assert 'id="turn-into-complaint"' not in again


def test_ticket_page_has_the_button_too(client, roles):
    ticket = TicketFactory(subject="客户投诉发错货")
    client.force_login(roles["aftersales"])
    assert 'id="turn-into-complaint"' in client.get(f"/tickets/{ticket.pk}/").content.decode()
    client.post(f"/complaints/from-ticket/{ticket.pk}/")
    assert Complaint.objects.get(ticket=ticket).summary.startswith("客户投诉发错货")


def test_register_form_signs_with_the_account(client, roles):
    client.force_login(roles["reception"])
    assert client.get("/complaints/new/").status_code == 200
    # Given the empty register form, when a letter's complaint is entered,
    response = client.post(
        "/complaints/new/",
        {
            "customer_name": "李女士",
            "customer_phone": "13900001111",
            "channel": "letter",
            "summary": "来信投诉：安装师傅迟到三小时",
            "wants": "道歉",
            "severity": "normal",
        },
    )
    # then it is registered, signed by the reception agent.
    complaint = Complaint.objects.get()
    assert response["Location"] == f"/complaints/{complaint.pk}/"
    assert complaint.received_by == roles["reception"]
    assert complaint.channel == "letter"
    # and an empty summary is refused with a message, creating nothing more.
    client.post("/complaints/new/", {"customer_name": "x", "channel": "letter", "summary": ""})
    assert Complaint.objects.count() == 1


def test_detail_shows_only_the_steps_the_role_may_take(client, roles):
    complaint = ComplaintFactory(received_by=roles["reception"])
    client.force_login(roles["aftersales"])
    page = client.get(f"/complaints/{complaint.pk}/").content.decode()
    assert 'class="step step-contact"' in page
    client.force_login(roles["reception"])
    page = client.get(f"/complaints/{complaint.pk}/").content.decode()
    assert 'class="step step-contact"' not in page
    # the list and the staff record page open,
    assert client.get("/complaints/?view=all").status_code == 200
    assert client.get(f"/staff/{roles['reception'].username}/record/").status_code == 200
    # but a colleague's record is private.
    assert client.get(f"/staff/{roles['sales'].username}/record/").status_code == 403


def test_the_register_form_links_one_of_the_customers_orders(client, roles):
    from tests.factories import CustomerFactory
    from tests.factories_orders import OrderFactory

    customer = CustomerFactory()
    order = OrderFactory(customer=customer)
    other = OrderFactory()  # someone else's order
    client.force_login(roles["reception"])
    # Given the form for a known customer, then it offers their orders,
    page = client.get(f"/complaints/new/?customer={customer.pk}").content.decode()
    assert order.platform_order_no in page
    assert other.platform_order_no not in page
    # and the complaint keeps the chosen order.
    client.post(
        "/complaints/new/",
        {
            "customer": customer.pk,
            "order": order.pk,
            "channel": "phone",
            "summary": "订单少发一件",
            "severity": "normal",
        },
    )
    assert Complaint.objects.get().order == order
