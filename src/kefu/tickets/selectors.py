from __future__ import annotations

from django.db.models import QuerySet

from kefu.accounts.models import User
from kefu.tickets.choices import TicketStatus
from kefu.tickets.models import Ticket

OPEN_STATES = (TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.PENDING, TicketStatus.ON_HOLD)


def ticket_list(user: User, view: str = "all", status: str = "open") -> QuerySet[Ticket]:
    qs = Ticket.objects.select_related("customer", "assignee", "team")
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATES)
    elif status in TicketStatus.values:
        qs = qs.filter(status=status)
    if view == "mine":
        qs = qs.filter(assignee=user)
    elif view == "unassigned":
        qs = qs.filter(assignee__isnull=True)
    elif view == "teams":
        qs = qs.filter(team__in=user.teams.all())
    return qs.order_by("-updated_at", "-id")
