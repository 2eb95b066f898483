"""Which ticket a mail belongs to: In-Reply-To / References against stored Message-IDs (ours
and the customers'), a ``[#123]`` token in the subject, a ``support+t123@`` plus-address."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from kefu.intake.models import MailMessage
from kefu.tickets.models import Ticket

TOKEN = re.compile(r"\[#(\d{1,12})\]")
PLUS = re.compile(r"\+t(\d{1,12})@", re.IGNORECASE)


@dataclass(frozen=True)
class Thread:
    ticket: Ticket | None
    how: str


def _follow(ticket: Ticket | None) -> Ticket | None:
    seen = 0
    while ticket is not None and ticket.merged_into_id is not None and seen < 20:
        ticket = ticket.merged_into
        seen += 1
    return ticket


def _ticket(pk: int) -> Ticket | None:
    return _follow(Ticket.objects.select_related("conversation").filter(pk=pk).first())


def find_thread(
    *, in_reply_to: Iterable[str], references: Iterable[str], subject: str, recipients: Iterable[str]
) -> Thread:
    ids = [*in_reply_to, *reversed(list(references))]
    if ids:
        known = {
            m.msgid: m for m in MailMessage.objects.filter(msgid__in=ids[:100]).exclude(ticket=None).order_by("id")
        }
        for msgid in ids:
            if msgid in known:
                ticket_id = known[msgid].ticket_id
                ticket = _ticket(ticket_id) if ticket_id else None
                if ticket is not None:
                    return Thread(ticket, "message-id")
    for match in TOKEN.finditer(subject or ""):
        ticket = _ticket(int(match.group(1)))
        if ticket is not None:
            return Thread(ticket, "subject token")
    for address in recipients:
        plus = PLUS.search(address or "")
        if plus:
            ticket = _ticket(int(plus.group(1)))
            if ticket is not None:
                return Thread(ticket, "plus address")
    return Thread(None, "")
