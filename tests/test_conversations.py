import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kefu.conversations.actions import check_send_reply, do_post_message, do_transition
from kefu.conversations.models import Message
from kefu.core import clock
from kefu.core.errors import InvalidTransition, ValidationFailed
from kefu.core.events import events_since
from tests.factories import ConversationFactory

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_resend_with_the_same_client_id_creates_no_duplicate():
    conversation = ConversationFactory()
    now = clock.now()
    # Given a customer message stored with a client id,
    first, created = do_post_message(conversation, author_kind="customer", text="你好", now=now, client_id="c-1")
    # when the client resends it after a lost acknowledgement,
    again, created_again = do_post_message(conversation, author_kind="customer", text="你好", now=now, client_id="c-1")
    # then the stored message is returned and nothing new is written or published.
    assert created
    assert not created_again
    assert first.pk == again.pk
    assert Message.objects.filter(conversation=conversation).count() == 1
    assert len(events_since(conversation.stream_key, 0)) == 1


def test_waiting_since_tracks_the_oldest_unanswered_customer_message(roles):
    conversation = ConversationFactory()
    t0 = clock.now()
    # Given two customer messages, then waiting starts at the first;
    do_post_message(conversation, author_kind="customer", text="在吗", now=t0)
    do_post_message(conversation, author_kind="customer", text="想退货", now=t0.replace(microsecond=0))
    conversation.refresh_from_db()
    assert conversation.waiting_since == t0
    assert conversation.first_customer_message_at == t0
    # when an agent answers, the wait ends and the first reply is stamped;
    check_send_reply(conversation, "您好，请问订单号是多少呢？", actor=roles["reception"])
    conversation.refresh_from_db()
    assert conversation.waiting_since is None
    assert conversation.first_agent_reply_at is not None
    # an internal note does not end a wait.
    do_post_message(conversation, author_kind="customer", text="123456", now=clock.now())
    do_post_message(conversation, author_kind="agent", text="查一下", now=clock.now(), is_internal=True)
    conversation.refresh_from_db()
    assert conversation.waiting_since is not None


@pytest.mark.parametrize(("status", "event_state"), [("pending", "open"), ("resolved", "open")])
def test_a_customer_message_brings_the_conversation_back(status, event_state):
    # Given a pending or resolved conversation, when the customer writes, then it is open again.
    conversation = ConversationFactory(status=status)
    do_post_message(conversation, author_kind="customer", text="还有个问题", now=clock.now())
    conversation.refresh_from_db()
    assert conversation.status == event_state


def test_closed_conversation_takes_no_message():
    conversation = ConversationFactory(status="closed")
    with pytest.raises(InvalidTransition):
        do_post_message(conversation, author_kind="customer", text="你好", now=clock.now())


@pytest.mark.parametrize("text", ["", "   ", "字" * 5001])
def test_empty_or_oversized_messages_are_refused(text):
    conversation = ConversationFactory()
    with pytest.raises(ValidationFailed):
        do_post_message(conversation, author_kind="customer", text=text, now=clock.now())
    assert not Message.objects.exists()


def test_html_is_stored_as_text_and_escaped_on_screen(client, roles):
    conversation = ConversationFactory()
    do_post_message(conversation, author_kind="customer", text="<script>alert(1)</script>", now=clock.now())
    client.force_login(roles["reception"])
    page = client.get(f"/conversations/{conversation.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_attachments_are_checked_by_content_and_size(settings):
    conversation = ConversationFactory()
    now = clock.now()
    # Given a real PNG, then it is stored as an image;
    msg, _ = do_post_message(
        conversation,
        author_kind="customer",
        text="",
        now=now,
        attachments=[SimpleUploadedFile("照片.png", PNG, "image/png")],
    )
    attachment = msg.attachments.get()
    assert (attachment.content_type, attachment.size, attachment.name) == ("image/png", len(PNG), "照片.png")
    # a file named .png that is not an image is refused whatever its name says;
    with pytest.raises(ValidationFailed, match="not an image"):
        do_post_message(
            conversation,
            author_kind="customer",
            text="看图",
            now=now,
            attachments=[SimpleUploadedFile("x.png", b"<?php system($_GET[1]); ?>", "image/png")],
        )
    with pytest.raises(ValidationFailed, match="not a file type"):
        do_post_message(
            conversation,
            author_kind="customer",
            text="程序",
            now=now,
            attachments=[SimpleUploadedFile("tool.exe", b"MZ\x90\x00\x03\x00", "application/octet-stream")],
        )
    # an oversized upload is refused with the limit in the message, and nothing is stored.
    settings.KEFU_MAX_UPLOAD_BYTES = 1024 * 1024
    with pytest.raises(ValidationFailed, match="limit is 1 MB"):
        do_post_message(
            conversation,
            author_kind="customer",
            text="大文件",
            now=now,
            attachments=[SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * 2_000_000, "application/pdf")],
        )
    assert Message.objects.count() == 1


def test_snooze_needs_a_future_time():
    conversation = ConversationFactory()
    now = clock.now()
    with pytest.raises(ValidationFailed):
        do_transition(conversation, "snooze", actor=None, now=now, snooze_until=now)


def test_attachments_download_only_for_staff_with_their_checked_type(client, roles):
    conversation = ConversationFactory()
    msg, _ = do_post_message(
        conversation,
        author_kind="customer",
        text="",
        now=clock.now(),
        attachments=[
            SimpleUploadedFile("照片.png", PNG, "image/png"),
            SimpleUploadedFile("page.html", b"<script>alert(1)</script>", "text/html"),
        ],
    )
    image, page = msg.attachments.order_by("id")
    # Given no login, then the file is not served.
    assert client.get(image.url).status_code == 302
    # Given an agent, an image is shown inline as an image;
    client.force_login(roles["reception"])
    shown = client.get(image.url)
    assert shown["Content-Type"] == "image/png"
    assert b"".join(shown.streaming_content) == PNG
    # a text file named .html is served as plain text, as a download, in a sandbox.
    served = client.get(page.url)
    assert served["Content-Type"] == "text/plain"
    assert served["Content-Disposition"].startswith("attachment")
    assert "sandbox" in served["Content-Security-Policy"]
    served.close()
    shown.close()


def test_attachments_download_with_an_api_token(client, roles):
    from kefu.accounts.actions import do_create_api_token

    conversation = ConversationFactory()
    msg, _ = do_post_message(
        conversation,
        author_kind="customer",
        text="",
        now=clock.now(),
        attachments=[SimpleUploadedFile("a.png", PNG, "image/png")],
    )
    _token, raw = do_create_api_token(roles["aftersales"], now=clock.now())
    response = client.get(msg.attachments.get().url, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG  # consuming closes the file (the test client's way)
    assert client.get(msg.attachments.get().url, HTTP_AUTHORIZATION="Bearer kefu_forged").status_code == 401


def test_customer_reopening_a_resolved_conversation_clears_resolved_at():
    conversation = ConversationFactory(status="resolved", resolved_at=clock.now())
    do_post_message(conversation, author_kind="customer", text="还有问题", now=clock.now())
    conversation.refresh_from_db()
    assert conversation.status == "open"
    assert conversation.resolved_at is None


def test_replies_in_a_conversation_count_for_its_open_tickets(db):
    """Tickets follow their conversation (conversations.hooks): the agent's public reply is a
    response, the customer's message is customer_replied; internal notes are neither."""
    from kefu.tickets.actions import do_transition_ticket
    from tests.factories import TicketFactory, UserFactory

    agent = UserFactory(role="reception")
    conversation = ConversationFactory()
    ticket = TicketFactory(conversation=conversation, customer=conversation.customer, status="open")
    do_post_message(
        conversation, author_kind="agent", author=agent, text="内部：查库存", now=clock.now(), is_internal=True
    )
    ticket.refresh_from_db()
    assert ticket.first_responded_at is None
    do_post_message(conversation, author_kind="agent", author=agent, text="您好，已为您查询", now=clock.now())
    ticket.refresh_from_db()
    assert ticket.first_responded_at is not None
    do_transition_ticket(ticket, "wait_customer", actor=agent, now=clock.now())
    do_post_message(conversation, author_kind="customer", text="好的，谢谢", now=clock.now())
    ticket.refresh_from_db()
    assert ticket.status == "open"  # customer_replied brought it back from pending
