from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from kefu.core import clock
from kefu.core.actions import require
from kefu.core.api_auth import needs
from kefu.core.events import audit_trail
from kefu.customers.models import Customer
from kefu.tickets import actions, selectors
from kefu.tickets.models import Ticket

router = Router(tags=["tickets"])


class TicketIn(Schema):
    customer: int
    subject: str
    description: str = ""
    type: str = "consultation"
    priority: str = "normal"


class TicketEventIn(Schema):
    event: str
    reason: str = ""


class TicketRemarkIn(Schema):
    text: str


def ticket_out(t: Ticket) -> dict[str, Any]:
    return {
        "id": t.pk,
        "subject": t.subject,
        "description": t.description,
        "type": t.type,
        "status": t.status,
        "priority": t.priority,
        "customer": t.customer_id,
        "conversation": t.conversation_id,
        "assignee": t.assignee.username if t.assignee_id else None,
        "team": t.team_id,
        "created_at": t.created_at.isoformat(),
        "updated_at": t.updated_at.isoformat(),
        "tags": [tag for tag in (t.tags or "").split(",") if tag],
        "sla": {
            "policy": t.sla_policy_id,
            "state": t.sla_status(clock.now()),
            "first_response_due_at": _iso(t.first_response_due_at),
            "next_response_due_at": _iso(t.next_response_due_at),
            "resolution_due_at": _iso(t.resolution_due_at),
            "next_deadline": _iso(t.sla_due_at),
            "first_responded_at": _iso(t.first_responded_at),
        },
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


@router.get("")
def list_tickets(
    request: HttpRequest, view: str = "all", status: str = "open", limit: int = 50
) -> list[dict[str, Any]]:
    require(request.user, "tickets.view_ticket")
    return [ticket_out(t) for t in selectors.ticket_list(request.user, view, status)[: max(1, min(limit, 200))]]


@router.post("", response={201: dict}, auth=needs("tickets.add_ticket"))
def create_ticket(request: HttpRequest, body: TicketIn) -> Status:
    customer = get_object_or_404(Customer, pk=body.customer)
    data = body.dict()
    data.pop("customer")
    ticket = actions.check_create_ticket(customer, actor=request.user, **data)
    return Status(201, ticket_out(ticket))


@router.get("/{ticket_id}", auth=needs("tickets.view_ticket"))
def get_ticket(request: HttpRequest, ticket_id: int) -> dict[str, Any]:
    require(request.user, "tickets.view_ticket")
    t = get_object_or_404(Ticket.objects.select_related("assignee"), pk=ticket_id)
    trail = [
        {
            "event": e.verb,
            "from": e.from_state,
            "to": e.to_state,
            "actor": e.actor.username if e.actor else None,
            "at": e.created_at.isoformat(),
        }
        for e in audit_trail(t)
    ]
    return {
        **ticket_out(t),
        "remarks": [{"text": r.text, "at": r.created_at.isoformat()} for r in t.remarks.all()],
        "audit": trail,
    }


@router.post("/{ticket_id}/events", auth=needs("tickets.change_ticket_status"))
def fire_event(request: HttpRequest, ticket_id: int, body: TicketEventIn) -> dict[str, Any]:
    t = get_object_or_404(Ticket.objects.select_related("assignee"), pk=ticket_id)
    actions.check_transition_ticket(t, body.event, actor=request.user, reason=body.reason)
    return ticket_out(t)


@router.post("/{ticket_id}/remarks", response={201: dict}, auth=needs("tickets.add_ticketremark"))
def add_remark(request: HttpRequest, ticket_id: int, body: TicketRemarkIn) -> Status:
    t = get_object_or_404(Ticket, pk=ticket_id)
    remark = actions.check_add_ticket_remark(t, body.text, actor=request.user)
    return Status(201, {"id": remark.pk, "text": remark.text})
