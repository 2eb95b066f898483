"""SMTP end to end: smtplib → `kefu smtpd` → ticket → agent reply → SMTP sink (aiosmtpd on
loopback) with threading headers → the customer's answer lands in the same ticket."""

from __future__ import annotations

import contextlib
import dataclasses
import email
import smtplib
import socket
import time
from email import policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from kefu.conversations.actions import check_send_reply
from kefu.conversations.models import Message
from kefu.core.models import AuditEvent
from kefu.intake.email import outbound, smtpd
from kefu.intake.models import MailMessage, RawMail
from kefu.tickets.models import Ticket
from tests.factories import OutboundMailFactory, UserFactory


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Sink:
    """A real SMTP server that keeps what it receives."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd hook name)
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"


@pytest.fixture
def sink(settings):
    handler = Sink()
    port = free_port()
    server = Controller(handler, hostname="127.0.0.1", port=port)
    server.start()
    settings.KEFU_MAIL = dataclasses.replace(
        settings.KEFU_MAIL, smtp_host="127.0.0.1", smtp_port=port, mail_from="客服中心 <support@kefu.example>"
    )
    yield handler
    server.stop()


@pytest.fixture
def kefu_smtpd(sink):
    port = free_port()
    server = smtpd.start("127.0.0.1", port)
    assert server is not None
    yield port
    server.stop()


def wait_for(predicate, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out")


def customer_mail(subject: str, body: str, **headers: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "王芳 <wangfang@example.cn>"
    msg["To"] = "support@kefu.example"
    msg["Subject"] = subject
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body, charset="gb18030")
    return msg


@pytest.mark.django_db(transaction=True)
def test_smtp_round_trip(kefu_smtpd, sink):
    # given: a customer's mail sent by smtplib to kefu's SMTP server
    first = customer_mail("打印机卡纸", "您好，打印机一直卡纸，怎么办？", Message_ID="<c1@example.cn>")
    with smtplib.SMTP("127.0.0.1", kefu_smtpd) as client:
        client.send_message(first)
    # then: a ticket appears
    ticket = wait_for(lambda: Ticket.objects.filter(subject="打印机卡纸").first())
    assert RawMail.objects.filter(source="smtp", status="created").count() == 1
    # when: an agent replies in the conversation
    agent = UserFactory(role="aftersales")
    check_send_reply(ticket.conversation, "请先关机，取出卡住的纸张再试。", actor=agent)
    # then: the reply reaches the sink in UTF-8 with threading headers and the ticket token
    wait_for(lambda: sink.received)
    envelope_from, recipients, data = sink.received[0]
    assert (envelope_from, recipients) == ("support@kefu.example", ["wangfang@example.cn"])
    reply = email.message_from_bytes(data, policy=policy.default)
    assert reply["In-Reply-To"] == "<c1@example.cn>"
    assert "<c1@example.cn>" in reply["References"]
    assert f"[#{ticket.pk}]" in reply["Subject"]
    assert reply["Reply-To"].addresses[0].addr_spec == f"support+t{ticket.pk}@kefu.example"
    assert reply.get_body(("plain",)).get_content().strip() == "请先关机，取出卡住的纸张再试。"
    assert reply.get_body(("plain",)).get_content_charset() == "utf-8"
    assert "请先关机" in reply.get_body(("html",)).get_content()
    sent = MailMessage.objects.get(direction="out")
    assert (sent.delivery_status, f"<{sent.msgid}>") == ("sent", reply["Message-ID"])
    # when: the customer answers that reply (a client that keeps only In-Reply-To)
    answer = customer_mail(
        "Re: " + str(reply["Subject"]),
        "好的，已经解决了，谢谢！",
        Message_ID="<c2@example.cn>",
        In_Reply_To=reply["Message-ID"],
    )
    with smtplib.SMTP("127.0.0.1", kefu_smtpd) as client:
        client.send_message(answer)
    # then: it lands in the same ticket
    wait_for(lambda: Message.objects.filter(conversation=ticket.conversation, text__contains="已经解决").exists())
    assert Ticket.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_smtpd_refuses_a_mail_over_the_limit(settings):
    settings.KEFU_MAIL = dataclasses.replace(settings.KEFU_MAIL, max_mail_mb=1)
    port = free_port()
    server = smtpd.start("127.0.0.1", port)
    try:
        big = customer_mail("大附件", "x" * (2 * 1024 * 1024))
        with smtplib.SMTP("127.0.0.1", port) as client, pytest.raises(smtplib.SMTPResponseException) as refused:
            client.send_message(big)
        assert refused.value.smtp_code == 552
    finally:
        server.stop()


@pytest.mark.django_db
def test_send_failure_is_retried_then_visible_on_the_ticket(settings, django_capture_on_commit_callbacks):
    # given: an email ticket and an SMTP relay that refuses connections
    settings.KEFU_MAIL = dataclasses.replace(settings.KEFU_MAIL, smtp_host="127.0.0.1", smtp_port=free_port())
    from kefu.intake.choices import MailSource
    from kefu.intake.email.ingest import ingest

    raw = "From: a@example.cn\r\nSubject: 发票\r\nMessage-ID: <f1@example.cn>\r\n\r\n请开发票".encode()
    result = ingest(raw, source=MailSource.CLI)
    ticket = Ticket.objects.get(pk=result.ticket)
    agent = UserFactory(role="reception")
    # when: the agent replies (the first attempt runs at once and fails)
    with django_capture_on_commit_callbacks(execute=True):
        check_send_reply(ticket.conversation, "已开具，请查收。", actor=agent)
    mail = MailMessage.objects.get(direction="out")
    assert (mail.delivery_status, mail.attempts) == ("retrying", 1)
    assert "Connection" in mail.last_error or "refused" in mail.last_error.lower()
    # and: the job queue's retries run out
    for _attempt in range(outbound.RETRIES):
        with contextlib.suppress(OSError):
            outbound.send_email(mail.pk)
    mail.refresh_from_db()
    # then: failed, with an audit event on the ticket and an internal note the agent sees
    assert (mail.delivery_status, mail.attempts) == ("failed", outbound.ATTEMPTS)
    assert AuditEvent.objects.filter(verb="mail.failed", object_id=str(ticket.pk)).exists()
    note = Message.objects.filter(conversation=ticket.conversation, is_internal=True).last()
    assert "could not be sent" in note.text


@pytest.mark.django_db
def test_header_injection_in_subject_is_neutralised(settings):
    settings.KEFU_MAIL = dataclasses.replace(settings.KEFU_MAIL, mail_from="support@kefu.example")
    from kefu.intake.choices import MailSource
    from kefu.intake.email.ingest import ingest

    raw = b"From: a@example.cn\r\nSubject: hi\r\nMessage-ID: <h1@example.cn>\r\n\r\nbody"
    ticket = Ticket.objects.get(pk=ingest(raw, source=MailSource.CLI).ticket)
    message = Message.objects.filter(conversation=ticket.conversation).first()
    mail = OutboundMailFactory(
        conversation=ticket.conversation,
        ticket=ticket,
        subject=outbound.one_line("退款\r\nBcc: victim@example.com"),
        to=[["", "a@example.cn"]],
        text=message.text,
    )
    built = outbound.build(mail).as_bytes()
    assert b"\r\nBcc:" not in built
    parsed = email.message_from_bytes(built, policy=policy.default)
    assert parsed["Bcc"] is None
    assert "Bcc: victim" in parsed["Subject"]


@pytest.mark.django_db
def test_invalid_recipient_fails_permanently_without_retry(settings):
    settings.KEFU_MAIL = dataclasses.replace(settings.KEFU_MAIL, smtp_host="127.0.0.1", smtp_port=free_port())
    from kefu.intake.choices import MailSource
    from kefu.intake.email.ingest import ingest

    raw = b"From: a@example.cn\r\nSubject: hi\r\nMessage-ID: <i1@example.cn>\r\n\r\nbody"
    ticket = Ticket.objects.get(pk=ingest(raw, source=MailSource.CLI).ticket)
    mail = OutboundMailFactory(conversation=ticket.conversation, ticket=ticket, to=[["", "not an address"]])
    outbound.send_email(mail.pk)
    mail.refresh_from_db()
    assert (mail.delivery_status, mail.attempts) == ("failed", 1)
    assert "not an address" in mail.last_error


@pytest.mark.django_db
def test_reply_attachments_go_out_with_the_mail(settings, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kefu.intake.choices import MailSource
    from kefu.intake.email.ingest import ingest

    raw = b"From: a@example.cn\r\nSubject: manual\r\nMessage-ID: <att-out@example.cn>\r\n\r\nplease send the manual"
    ticket = Ticket.objects.get(pk=ingest(raw, source=MailSource.CLI).ticket)
    pdf = SimpleUploadedFile("说明书.pdf", b"%PDF-1.4\n% manual\n", content_type="application/pdf")
    with django_capture_on_commit_callbacks(execute=True):
        check_send_reply(ticket.conversation, "附件是说明书。", actor=UserFactory(role="reception"), attachments=[pdf])
    built = email.message_from_bytes(
        outbound.build(MailMessage.objects.get(direction="out")).as_bytes(), policy=policy.default
    )
    parts = list(built.iter_attachments())
    assert [(p.get_filename(), p.get_content_type()) for p in parts] == [("说明书.pdf", "application/pdf")]
    assert parts[0].get_content().startswith(b"%PDF")
