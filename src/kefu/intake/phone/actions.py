"""Calls: telephony events (ringing / answered / ended) and hand-logged phone and
face-to-face contacts.  A call is matched to a customer by number, creates or joins the
customer's open ticket, and a missed call leaves a callback task for the team."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from kefu.conversations.models import Channel
from kefu.core import clock
from kefu.core.actions import action
from kefu.core.errors import ValidationFailed
from kefu.core.events import notify, record_audit
from kefu.customers.actions import do_find_or_create_by_identity
from kefu.customers.choices import IdentityKind
from kefu.customers.identities import normalise
from kefu.customers.models import Customer, CustomerIdentity
from kefu.intake.choices import CallDirection, CallOutcome, ContactMedium, TaskStatus
from kefu.intake.models import CallbackTask, CallRecord
from kefu.tickets.actions import do_create_ticket, do_record_response
from kefu.tickets.choices import TicketStatus
from kefu.tickets.models import Ticket

EVENTS = ("ringing", "answered", "ended")
CALLBACK_WITHIN = timedelta(hours=4)  # R8: the hotline answers a question within 4 h
OPEN_TICKET = (TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.PENDING, TicketStatus.ON_HOLD)
INBOX_STREAM = "inbox"


def _number(value: Any) -> str:
    number = str(value or "").strip()[:40]
    if not number:
        return ""
    try:
        return normalise(IdentityKind.PHONE, number)
    except ValidationFailed:
        return number  # withheld or odd numbers are still recorded as given


def customer_for_number(number: str) -> Customer | None:
    try:
        value = normalise(IdentityKind.PHONE, number)
    except ValidationFailed:
        return None
    identity = CustomerIdentity.objects.select_related("customer").filter(kind=IdentityKind.PHONE, value=value).first()
    if identity is None:
        return None
    customer = identity.customer
    while customer.merged_into_id is not None:
        customer = customer.merged_into  # type: ignore[assignment]
    return customer


def _ensure_customer(call: CallRecord, now: datetime) -> Customer | None:
    if call.customer is not None:
        return call.customer
    try:
        customer, _new = do_find_or_create_by_identity(IdentityKind.PHONE, call.number, now=now)
    except ValidationFailed:
        return None
    call.customer = customer
    return customer


def _join_or_open_ticket(call: CallRecord, *, actor: Any, now: datetime) -> Ticket | None:
    if call.ticket is not None:
        return call.ticket
    customer = _ensure_customer(call, now)
    if customer is None:
        return None
    ticket = Ticket.objects.filter(customer=customer, status__in=OPEN_TICKET).order_by("-updated_at", "-id").first()
    if ticket is None:
        subject = (
            _("Phone call from %(number)s") if call.direction == CallDirection.INBOUND else _("Call to %(number)s")
        ) % {"number": call.number}
        if call.medium == ContactMedium.FACE_TO_FACE:
            subject = _("Visit from %(name)s") % {"name": customer.name or call.number or customer.pk}
        ticket = do_create_ticket(
            customer,
            subject=subject[:200],
            now=now,
            actor=actor,
            source="phone" if call.medium == ContactMedium.PHONE else "face_to_face",
            team=call.channel.team if call.channel else None,
            description=call.notes,
        )
    call.ticket = ticket
    return ticket


def _at(value: Any, now: datetime) -> datetime:
    parsed = parse_datetime(str(value)) if value else None
    if parsed is None or parsed.tzinfo is None:
        return now
    return parsed


def call_payload(call: CallRecord) -> dict[str, Any]:
    return {
        "call": call.pk,
        "call_id": call.external_id,
        "direction": call.direction,
        "number": call.number,
        "outcome": call.outcome,
        "customer": call.customer_id,
        "customer_name": call.customer.name if call.customer else "",
        "ticket": call.ticket_id,
        "agent": call.agent.username if call.agent else None,
        "url": reverse("web:intake-call", args=[call.pk]),
    }


def do_call_event(channel: Channel, data: dict[str, Any], *, now: datetime) -> CallRecord:
    """Apply one telephony event; events may arrive out of order or more than once."""
    event = str(data.get("event") or "")
    call_id = str(data.get("call_id") or "").strip()[:120]
    if event not in EVENTS:
        raise ValidationFailed(_("event must be ringing, answered or ended."))
    if not call_id:
        raise ValidationFailed(_("call_id is required."))
    direction = str(data.get("direction") or CallDirection.INBOUND)
    if direction not in CallDirection.values:
        raise ValidationFailed(_("direction must be in or out."))
    at = _at(data.get("at"), now)
    agent = None
    if data.get("agent"):
        agent = get_user_model().objects.filter(username=str(data["agent"])[:150], is_active=True).first()
    with transaction.atomic():
        call = CallRecord.objects.select_for_update().filter(channel=channel, external_id=call_id).first()
        if call is None:
            number = _number(data.get("number"))
            call = CallRecord.objects.create(
                channel=channel,
                external_id=call_id,
                direction=direction,
                number=number,
                customer=customer_for_number(number) if number else None,
                started_at=at,
                created_at=now,
                updated_at=now,
            )
        if agent is not None:
            call.agent = agent
        if data.get("notes"):
            call.notes = "\n".join(filter(None, [call.notes, str(data["notes"])[:4000]]))
        if event == "answered" and call.answered_at is None:
            call.answered_at = at
            if call.outcome == CallOutcome.RINGING:
                call.outcome = CallOutcome.IN_PROGRESS
            ticket = _join_or_open_ticket(call, actor=None, now=now)
            if ticket is not None:
                do_record_response(ticket, actor=call.agent, now=now, how="phone")
        elif event == "ended" and call.ended_at is None:
            call.ended_at = at
            if call.answered_at is not None:
                call.outcome = CallOutcome.ANSWERED
            else:
                outcome = str(data.get("outcome") or CallOutcome.MISSED)
                call.outcome = outcome if outcome in (CallOutcome.MISSED, CallOutcome.VOICEMAIL) else CallOutcome.MISSED
                _callback(call, now)
        call.updated_at = now
        call.save()
        record_audit(call, f"call.{event}", actor=None, now=now, data={"call_id": call_id})
        notify(INBOX_STREAM, "call", event, call_payload(call), now=now)
    return call


def _callback(call: CallRecord, now: datetime) -> None:
    if call.number and not CallbackTask.objects.filter(call=call).exists():
        CallbackTask.objects.create(
            call=call,
            team=call.channel.team if call.channel else None,
            due_at=now + CALLBACK_WITHIN,
            created_at=now,
        )


@action("conversations.reply_conversation")
def check_log_contact(
    *,
    actor: Any,
    medium: str,
    direction: str,
    number: str,
    customer: Customer | None,
    started_at: datetime,
    minutes: int,
    outcome: str,
    notes: str,
    ticket: Ticket | None = None,
) -> CallRecord:
    """An agent logs a phone call or a face-to-face contact by hand (R3, R40)."""
    if medium not in ContactMedium.values:
        raise ValidationFailed(_("Unknown contact medium."))
    if direction not in CallDirection.values:
        raise ValidationFailed(_("Unknown direction."))
    if outcome not in CallOutcome.values or outcome in (CallOutcome.RINGING, CallOutcome.IN_PROGRESS):
        raise ValidationFailed(_("Choose how the contact ended."))
    number = _number(number)
    if medium == ContactMedium.PHONE and not number and customer is None:
        raise ValidationFailed(_("Give the phone number or the customer."))
    if customer is None and number:
        customer = customer_for_number(number)
    if customer is None and medium == ContactMedium.FACE_TO_FACE:
        raise ValidationFailed(_("Choose the customer you met."))
    now = clock.now()
    answered = outcome in (CallOutcome.ANSWERED, CallOutcome.CALLBACK)
    with transaction.atomic():
        call = CallRecord.objects.create(
            medium=medium,
            direction=direction,
            number=number,
            customer=customer,
            agent=actor if getattr(actor, "pk", None) else None,
            ticket=ticket,
            outcome=outcome,
            started_at=started_at,
            answered_at=started_at if answered else None,
            ended_at=started_at + timedelta(minutes=max(0, minutes)),
            notes=notes[:8000],
            created_at=now,
            updated_at=now,
        )
        if answered:
            linked = _join_or_open_ticket(call, actor=actor, now=now)
            if linked is not None:
                do_record_response(linked, actor=actor, now=now, how=medium if medium == "phone" else "visit")
        elif outcome == CallOutcome.MISSED:
            _callback(call, now)
        call.save()
        record_audit(call, "call.logged", actor=actor, now=now, data={"medium": medium, "outcome": outcome})
    return call


@action("conversations.reply_conversation")
def check_add_call_notes(call: CallRecord, text: str, *, actor: Any) -> CallRecord:
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(_("Write a note first."))
    with transaction.atomic():
        locked = CallRecord.objects.select_for_update().get(pk=call.pk)
        stamp = clock.now()
        locked.notes = "\n".join(filter(None, [locked.notes, f"[{stamp:%H:%M}] {text[:4000]}"]))
        locked.updated_at = stamp
        locked.save(update_fields=["notes", "updated_at"])
        record_audit(locked, "call.noted", actor=actor, now=stamp)
    return locked


@action("conversations.reply_conversation")
def check_finish_callback(task: CallbackTask, *, actor: Any) -> CallbackTask:
    now = clock.now()
    with transaction.atomic():
        CallbackTask.objects.filter(pk=task.pk, status=TaskStatus.OPEN).update(
            status=TaskStatus.DONE, done_at=now, done_by=actor
        )
        record_audit(task.call, "call.callback_done", actor=actor, now=now)
    task.refresh_from_db()
    return task
