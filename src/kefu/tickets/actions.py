"""Writes to tickets (work orders)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kefu.core import clock
from kefu.core.actions import action, require
from kefu.core.assignment import assign_locked
from kefu.core.choices import Priority, Stage
from kefu.core.errors import ValidationFailed
from kefu.core.events import publish, record_audit
from kefu.core.records import save_changes
from kefu.customers.models import Customer
from kefu.tickets.choices import SERVICE_CLASS_OF_TYPE, TicketStatus, TicketType
from kefu.tickets.models import Ticket, TicketRemark
from kefu.tickets.transitions import EVENT_PERMISSION, ticket_machine

EDITABLE = ("subject", "description", "type", "priority", "stage", "service_class")


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValidationFailed(
            _("These fields cannot be changed here: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    clean = dict(fields)
    if "subject" in clean:
        clean["subject"] = str(clean["subject"]).strip()
        if not clean["subject"]:
            raise ValidationFailed(_("A ticket needs a subject."))
        if len(clean["subject"]) > 200:
            raise ValidationFailed(_("The subject has at most 200 characters."))
    if "description" in clean and len(str(clean["description"])) > 20000:
        raise ValidationFailed(_("The description has at most 20,000 characters."))
    if "type" in clean and clean["type"] not in TicketType.values:
        raise ValidationFailed(_("Unknown ticket type."))
    if "priority" in clean and clean["priority"] not in Priority.values:
        raise ValidationFailed(_("Unknown priority."))
    if "stage" in clean and clean["stage"] not in ["", *Stage.values]:
        raise ValidationFailed(_("Unknown stage."))
    return clean


def _payload(ticket: Ticket) -> dict[str, Any]:
    return {"ticket": ticket.pk, "status": ticket.status, "assignee": ticket.assignee_id, "team": ticket.team_id}


def do_create_ticket(
    customer: Customer,
    *,
    subject: str,
    now: datetime,
    actor: Any = None,
    conversation: Any = None,
    team: Any = None,
    assignee: Any = None,
    source: str = "",
    shop: Any = None,
    **fields: Any,
) -> Ticket:
    clean = _clean({"subject": subject, **fields})
    clean.setdefault("service_class", SERVICE_CLASS_OF_TYPE.get(clean.get("type", TicketType.CONSULTATION), ""))
    if customer.merged_into_id:
        raise ValidationFailed(_("That customer was merged into another; use the other one."))
    with transaction.atomic():
        ticket = Ticket.objects.create(
            customer=customer,
            conversation=conversation,
            team=team,
            assignee=assignee,
            source=source,
            shop=shop,
            created_by=actor if getattr(actor, "pk", None) else None,
            created_at=now,
            updated_at=now,
            status=TicketStatus.OPEN if assignee else TicketStatus.NEW,
            **clean,
        )
        record_audit(ticket, "ticket.created", actor=actor, now=now, to_state=ticket.status)
        publish(ticket.stream_key, "ticket", "created", _payload(ticket), now=now)
    return ticket


@action("tickets.add_ticket")
def check_create_ticket(customer: Customer, *, actor: Any, subject: str, **kwargs: Any) -> Ticket:
    if kwargs.get("assignee") is not None:
        require(actor, "tickets.assign_ticket")
    return do_create_ticket(customer, subject=subject, now=clock.now(), actor=actor, **kwargs)


@action("tickets.change_ticket")
def check_update_ticket(ticket: Ticket, *, actor: Any, **fields: Any) -> Ticket:
    clean = _clean(fields)
    if ticket.status == TicketStatus.CLOSED:
        raise ValidationFailed(_("A closed ticket cannot be changed."))
    now = clock.now()
    with transaction.atomic():
        if save_changes(ticket, clean, actor=actor, now=now, verb="ticket.updated"):
            publish(ticket.stream_key, "ticket", "updated", _payload(ticket), now=now)
    return ticket


def do_assign_ticket(ticket: Ticket, *, assignee: Any, team: Any, actor: Any, now: datetime) -> Ticket:
    with transaction.atomic():
        locked = assign_locked(
            Ticket, ticket.pk, assignee=assignee, team=team, actor=actor, now=now, verb="ticket.assigned"
        )
        if assignee is not None and locked.status == TicketStatus.NEW:
            ticket_machine.transition(locked, "open", actor=actor, now=now, data={"cause": "assigned"})
        publish(locked.stream_key, "ticket", "assigned", _payload(locked), now=now)
    ticket.assignee, ticket.team, ticket.status = locked.assignee, locked.team, locked.status
    return ticket


@action("tickets.assign_ticket")
def check_assign_ticket(ticket: Ticket, *, actor: Any, assignee: Any = None, team: Any = None) -> Ticket:
    if ticket.status in (TicketStatus.CLOSED, TicketStatus.CANCELLED):
        raise ValidationFailed(_("A closed or cancelled ticket cannot be reassigned."))
    return do_assign_ticket(ticket, assignee=assignee, team=team, actor=actor, now=clock.now())


def do_transition_ticket(ticket: Ticket, event: str, *, actor: Any, now: datetime, reason: str = "") -> Ticket:
    updates: dict[str, Any] = {}
    if event == "reopen":
        updates = {"resolved_at": None}
    with transaction.atomic():
        ticket_machine.transition(
            ticket, event, actor=actor, now=now, updates=updates, data={"reason": reason} if reason else None
        )
        publish(ticket.stream_key, "ticket", "status", _payload(ticket), now=now)
    return ticket


@action("tickets.change_ticket_status")
def check_transition_ticket(ticket: Ticket, event: str, *, actor: Any, reason: str = "") -> Ticket:
    if event not in EVENT_PERMISSION:
        raise ValidationFailed(_("Unknown action “%(event)s”.") % {"event": event})
    require(actor, EVENT_PERMISSION[event])
    if len(reason) > 2000:
        raise ValidationFailed(_("The reason has at most 2,000 characters."))
    return do_transition_ticket(ticket, event, actor=actor, now=clock.now(), reason=reason)


def do_add_ticket_remark(ticket: Ticket, text: str, *, author: Any, now: datetime) -> TicketRemark:
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(_("A remark cannot be empty."))
    if len(text) > 5000:
        raise ValidationFailed(_("A remark has at most 5,000 characters."))
    with transaction.atomic():
        remark = TicketRemark.objects.create(
            ticket=ticket, author=author if getattr(author, "pk", None) else None, text=text, created_at=now
        )
        Ticket.objects.filter(pk=ticket.pk).update(updated_at=now)
        record_audit(ticket, "ticket.remark", actor=author, now=now, data={"remark": remark.pk})
        publish(ticket.stream_key, "ticket", "remark", {**_payload(ticket), "remark": remark.pk}, now=now)
    return remark


@action("tickets.add_ticketremark")
def check_add_ticket_remark(ticket: Ticket, text: str, *, actor: Any) -> TicketRemark:
    return do_add_ticket_remark(ticket, text, author=actor, now=clock.now())
