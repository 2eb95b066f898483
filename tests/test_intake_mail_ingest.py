"""kefu mail ingest: raw first, then threading, customers, tickets, auto-replies and bounces."""

from __future__ import annotations

import dataclasses
import io
import json

import pytest
from django.core.management import call_command

from kefu.conversations.models import Attachment, Message
from kefu.customers.models import Customer, CustomerIdentity
from kefu.intake.choices import MailSource
from kefu.intake.email.ingest import ingest
from kefu.intake.email.store import read_raw
from kefu.intake.models import FailingAddress, MailAttachment, MailMessage, RawMail
from kefu.tickets.choices import TicketStatus
from kefu.tickets.models import Ticket

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
    b"\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def mail(
    *,
    subject: str = "耳机有杂音",
    sender: str = "张三 <zhangsan@example.cn>",
    msgid: str = "<m1@example.cn>",
    to: str = "support@kefu.example",
    body: str = "你好，我买的耳机左边有杂音。",
    extra: str = "",
    charset: str = "gb2312",
) -> bytes:
    head = f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: {msgid}\r\n{extra}"
    head += f"MIME-Version: 1.0\r\nContent-Type: text/plain; charset={charset}\r\n"
    head += "Content-Transfer-Encoding: 8bit\r\n\r\n"
    return head.encode(charset) + body.encode(charset)


def test_new_mail_creates_customer_conversation_and_ticket():
    # when: a GBK mail labelled gb2312 comes in
    result = ingest(mail(), source=MailSource.CLI)
    # then: a ticket on an email conversation, the customer found by address
    assert result.status == "created"
    ticket = Ticket.objects.get(pk=result.ticket)
    assert ticket.subject == "耳机有杂音"
    assert ticket.source == "email"
    assert ticket.conversation.channel.kind == "email"
    message = Message.objects.get(pk=result.message)
    assert message.text == "你好，我买的耳机左边有杂音。"
    assert message.author_kind == "customer"
    assert CustomerIdentity.objects.get(kind="email", value="zhangsan@example.cn").customer_id == result.customer
    assert Customer.objects.get(pk=result.customer).name == "张三"
    # and: the raw mail is kept byte for byte, linked to the parsed mail
    raw = RawMail.objects.get(pk=result.raw)
    assert read_raw(raw) == mail()
    assert raw.status == "created"
    assert MailMessage.objects.get(message=message).raw_id == raw.pk


def test_same_message_id_twice_creates_nothing_new():
    first = ingest(mail(), source=MailSource.SMTP)
    # when: the same mail is delivered again (by IMAP this time)
    again = ingest(mail(), source=MailSource.IMAP)
    # then: a duplicate pointing at the first, no new ticket or message
    assert again.status == "duplicate"
    assert (again.ticket, again.message) == (first.ticket, first.message)
    assert Ticket.objects.count() == 1
    assert Message.objects.count() == 1
    assert RawMail.objects.count() == 2  # both deliveries are kept


def test_mail_without_message_id_is_deduplicated_by_content():
    raw = mail(msgid="").replace(b"Message-ID: \r\n", b"")
    assert ingest(raw, source=MailSource.CLI).status == "created"
    assert ingest(raw, source=MailSource.CLI).status == "duplicate"


@pytest.mark.parametrize("how", ["in-reply-to", "references", "token", "plus"])
def test_replies_thread_into_the_same_ticket(how: str):
    first = ingest(mail(), source=MailSource.CLI)
    ticket = Ticket.objects.get(pk=first.ticket)
    extra, subject, to = "", "Re: 耳机有杂音", "support@kefu.example"
    if how == "in-reply-to":
        extra = "In-Reply-To: <m1@example.cn>\r\n"
    elif how == "references":
        extra = "References: <unknown@x> <m1@example.cn>\r\n"
    elif how == "token":
        subject = f"回复：[#{ticket.pk}] 还是有杂音"
    else:
        to = f"support+t{ticket.pk}@kefu.example"
    # when: the customer writes again
    reply = ingest(
        mail(msgid="<m2@example.cn>", subject=subject, extra=extra, to=to, body="还是有杂音。"),
        source=MailSource.CLI,
    )
    # then: the same ticket and conversation
    assert reply.status == "appended"
    assert reply.ticket == ticket.pk
    assert Message.objects.filter(conversation=ticket.conversation).count() == 2


def test_reply_to_a_closed_ticket_opens_a_follow_up():
    first = ingest(mail(), source=MailSource.CLI)
    Ticket.objects.filter(pk=first.ticket).update(status=TicketStatus.CLOSED)
    reply = ingest(mail(msgid="<m2@example.cn>", extra="In-Reply-To: <m1@example.cn>\r\n"), source=MailSource.CLI)
    assert reply.status == "created"
    assert reply.ticket != first.ticket
    assert f"#{first.ticket}" in Ticket.objects.get(pk=reply.ticket).description


def test_quoted_history_is_kept_but_not_in_the_message():
    body = "好的，收到了。\r\n\r\n在 2024年3月1日 10:00，客服 <support@kefu.example> 写道：\r\n> 已为您安排换货"
    result = ingest(mail(body=body, charset="utf-8"), source=MailSource.CLI)
    assert Message.objects.get(pk=result.message).text == "好的，收到了。"
    stored = MailMessage.objects.get(message_id=result.message)
    assert "已为您安排换货" in stored.quoted
    assert "已为您安排换货" in stored.text


def test_auto_reply_is_recorded_and_never_creates_a_ticket():
    result = ingest(
        mail(subject="自动回复：耳机有杂音", msgid="<auto@example.cn>", extra="Auto-Submitted: auto-replied\r\n"),
        source=MailSource.CLI,
    )
    assert result.status == "auto_reply"
    assert result.ticket is None
    assert Ticket.objects.count() == 0
    assert MailMessage.objects.get(msgid="auto@example.cn").kind == "auto_reply"


def test_auto_reply_in_a_thread_becomes_an_internal_note():
    first = ingest(mail(), source=MailSource.CLI)
    result = ingest(
        mail(subject="Out of Office", msgid="<ooo@example.cn>", extra="In-Reply-To: <m1@example.cn>\r\n"),
        source=MailSource.CLI,
    )
    assert result.status == "auto_reply"
    assert result.ticket == first.ticket
    note = Message.objects.get(pk=result.message)
    assert note.is_internal
    assert note.author_kind == "system"


def test_bounce_marks_the_address_failing():
    dsn = (
        b"From: MAILER-DAEMON@mx.example.cn\r\nTo: support@kefu.example\r\nSubject: Undelivered Mail\r\n"
        b"Message-ID: <bounce1@mx.example.cn>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="r"\r\n\r\n'
        b"--r\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        b"--r\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.cn\r\n\r\n"
        b"Final-Recipient: rfc822; gone@example.cn\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n--r--\r\n"
    )
    result = ingest(dsn, source=MailSource.CLI)
    assert result.status == "bounce"
    failing = FailingAddress.objects.get(address="gone@example.cn")
    assert (failing.status, failing.bounces) == ("5.1.1", 1)
    assert Ticket.objects.count() == 0


def test_attachments_are_all_kept_and_images_shown_in_the_conversation():
    raw = (
        "From: a@example.cn\r\nSubject: 照片\r\nMessage-ID: <att@example.cn>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n见附件\r\n"
        '--b\r\nContent-Type: image/png; name="photo.png"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
        + __import__("base64").b64encode(PNG).decode()
        + '\r\n--b\r\nContent-Type: application/x-msdownload; name="setup.exe"\r\n\r\nMZ\x00\x00\r\n--b--\r\n'
    ).encode("utf-8")
    result = ingest(raw, source=MailSource.CLI)
    stored = MailMessage.objects.get(message_id=result.message)
    assert sorted(a.name for a in MailAttachment.objects.filter(mail=stored)) == ["photo.png", "setup.exe"]
    assert [a.name for a in Attachment.objects.filter(message_id=result.message)] == ["photo.png"]


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "empty mail"),
        (b"Subject: no sender\r\n\r\nhello", "no sender"),
        (b"From: not-an-address@\r\nSubject: x\r\n\r\nhello", "no sender"),
        (b"From: =?utf-8?B?5byg5LiJ?= <zs@bad domain>\r\nSubject: x\r\n\r\nhello", "not an email address"),
    ],
)
def test_bad_mail_is_rejected_with_a_reason_and_kept(raw: bytes, reason: str):
    result = ingest(raw, source=MailSource.CLI)
    assert result.status == "rejected"
    assert reason in result.reason
    stored = RawMail.objects.get(pk=result.raw)
    assert (stored.status, read_raw(stored)) == ("rejected", raw)


def test_mail_over_the_size_limit_is_rejected_and_kept(settings):
    settings.KEFU_MAIL = dataclasses.replace(settings.KEFU_MAIL, max_mail_mb=1)
    big = mail(body="大" * 700_000, charset="utf-8")
    result = ingest(big, source=MailSource.CLI)
    assert result.status == "rejected"
    assert "limit" in result.reason
    assert RawMail.objects.get(pk=result.raw).size == len(big)


def test_25_mb_mail_with_500_attachments_is_ingested():
    parts = "".join(
        f'--b\r\nContent-Type: application/octet-stream; name="f{i}.bin"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
        + ("QUJD" * 19 + "\r\n") * 650
        for i in range(500)
    )
    raw = (
        "From: a@example.cn\r\nSubject: many\r\nMessage-ID: <big@example.cn>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nfiles\r\n'
        + parts
        + "--b--\r\n"
    ).encode()
    assert len(raw) > 25_000_000
    result = ingest(raw, source=MailSource.CLI)
    assert result.status == "created"
    assert MailAttachment.objects.filter(mail__message_id=result.message).count() == 500


def test_cli_prints_one_json_object(tmp_path):
    path = tmp_path / "in.eml"
    path.write_bytes(mail(body="请问发票怎么开？", charset="gbk"))
    out = io.StringIO()
    call_command("mail", "ingest", str(path), stdout=out)
    data = json.loads(out.getvalue())
    assert data["status"] == "created"
    assert {k: data[k] for k in ("subject", "from_name", "from_address", "text", "attachments")} == {
        "subject": "耳机有杂音",
        "from_name": "张三",
        "from_address": "zhangsan@example.cn",
        "text": "请问发票怎么开？",
        "attachments": [],
    }
    assert isinstance(data["ticket"], int)
    assert isinstance(data["message"], int)
    assert isinstance(data["customer"], int)


def test_mail_without_from_is_answered_at_its_reply_to():
    raw = b"Reply-To: backup@example.cn\r\nSubject: x\r\nMessage-ID: <rt@example.cn>\r\n\r\nhello"
    result = ingest(raw, source=MailSource.CLI)
    assert result.status == "created"
    assert CustomerIdentity.objects.get(customer_id=result.customer).value == "backup@example.cn"
