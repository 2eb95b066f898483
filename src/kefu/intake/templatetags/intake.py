"""``{% load intake %}{% mail_status ticket %}``: the ticket's emails with delivery badges
(the ticket page includes it; a failed reply shows its error and a "send again" button)."""

from __future__ import annotations

from typing import Any

from django import template

from kefu.intake.models import FailingAddress, MailMessage

register = template.Library()


@register.inclusion_tag("intake/_mail_status.html")
def mail_status(ticket: Any) -> dict[str, Any]:
    mails = list(MailMessage.objects.filter(ticket=ticket).order_by("-id")[:20]) if ticket is not None else []
    addresses = {m.from_address.lower() for m in mails if m.direction == "in" and m.from_address}
    addresses |= {str(p[1]).lower() for m in mails if m.direction == "out" for p in m.to[:1]}
    failing = list(FailingAddress.objects.filter(address__in=addresses).values_list("address", flat=True))
    return {"mails": mails, "failing": failing}
