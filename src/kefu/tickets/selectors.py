from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet
from django.http import QueryDict

from kefu.accounts.models import User
from kefu.core import params
from kefu.sla.choices import SlaState
from kefu.tickets.choices import TicketStatus
from kefu.tickets.models import Ticket

OPEN_STATES = (TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.PENDING, TicketStatus.ON_HOLD)
SHANGHAI = ZoneInfo("Asia/Shanghai")
# The list filters, in the order of the filter bar (query-string keys).
FILTER_KEYS = (
    "view",
    "status",
    "type",
    "priority",
    "team",
    "assignee",
    "sla",
    "tag",
    "customer",
    "channel",
    "created_from",
    "created_to",
    "q",
)


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


def sla_condition(state: str, now: datetime) -> Q | None:
    """Tickets whose SLA state at ``now`` is ``state`` (see ``Ticket.sla_status``)."""
    running = Q(sla_state=SlaState.OK)
    if state == SlaState.BREACHED:
        return running & Q(sla_due_at__lte=now)
    if state == SlaState.AT_RISK:
        return running & Q(sla_warn_at__lte=now, sla_due_at__gt=now)
    if state == SlaState.OK:
        return (
            running
            & (Q(sla_warn_at__gt=now) | Q(sla_warn_at__isnull=True))
            & (Q(sla_due_at__gt=now) | Q(sla_due_at__isnull=True))
        )
    if state in (SlaState.PAUSED, SlaState.MET):
        return Q(sla_state=state)
    if state == "none":
        return Q(sla_state=SlaState.NONE)
    return None


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


@dataclass
class Filters:
    values: dict[str, str]

    @classmethod
    def from_query(cls, query: QueryDict | dict[str, Any]) -> Filters:
        values = {k: str(query.get(k, "") or "").strip() for k in FILTER_KEYS}
        values["view"] = values["view"] or "all"
        values["status"] = values["status"] or "open"
        return cls(values)

    def query_string(self) -> str:
        from urllib.parse import urlencode

        defaults = {"view": "all", "status": "open"}
        return urlencode({k: v for k, v in self.values.items() if v and defaults.get(k) != v})

    @property
    def active(self) -> int:
        return sum(1 for k, v in self.values.items() if v and k not in ("view", "status"))


def filtered(user: User, filters: Filters, now: datetime) -> QuerySet[Ticket]:
    """The ticket list with every filter of the list page applied (unknown values are ignored)."""
    f = filters.values
    qs = ticket_list(user, f["view"], f["status"]).select_related("sla_policy")
    if f["type"]:
        qs = qs.filter(type=f["type"])
    if f["priority"]:
        qs = qs.filter(priority=f["priority"])
    if params.is_digits(f["team"]):
        qs = qs.filter(team_id=int(f["team"]))
    if f["assignee"] == "none":
        qs = qs.filter(assignee__isnull=True)
    elif f["assignee"] == "me":
        qs = qs.filter(assignee=user)
    elif params.is_digits(f["assignee"]):
        qs = qs.filter(assignee_id=int(f["assignee"]))
    condition = sla_condition(f["sla"], now)
    if condition is not None:
        qs = qs.filter(condition)
    if f["tag"]:
        qs = qs.filter(tags__contains="," + f["tag"].replace(",", " ") + ",")
    if params.is_digits(f["customer"]):
        qs = qs.filter(customer_id=int(f["customer"]))
    elif f["customer"]:
        qs = qs.filter(customer__name__icontains=f["customer"])
    if f["channel"]:
        qs = qs.filter(source=f["channel"])
    start, end = _day(f["created_from"]), _day(f["created_to"])
    if start:
        qs = qs.filter(created_at__gte=datetime.combine(start, time(0), tzinfo=SHANGHAI))
    if end:
        qs = qs.filter(created_at__lt=datetime.combine(end + timedelta(days=1), time(0), tzinfo=SHANGHAI))
    if f["q"]:
        q = f["q"].lstrip("#")
        qs = qs.filter(
            Q(subject__icontains=f["q"]) | Q(pk=int(q)) if params.is_digits(q) else Q(subject__icontains=f["q"])
        )
    if f["sla"] in (SlaState.AT_RISK, SlaState.BREACHED):
        qs = qs.order_by("sla_due_at", "id")
    return qs
