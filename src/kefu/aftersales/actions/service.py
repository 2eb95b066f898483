"""Service orders (R7, R10, R25): installation, commissioning, repair & maintenance, training and
inspection on top of a ticket of the same type; warranty expiry and periodic inspection reminders.

* The on-site arrival target is the appointment the customer chose (R7): the ticket's
  ``appointment_at`` and the SLA engine's on-site timer (:func:`kefu.sla.engine.appointment_changed`).
* Training is due within one month of the request (R10), an inspection starts the day of the
  request (R10) and its result goes to the customer: named deadlines of :mod:`kefu.sla.deadlines`.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kefu.aftersales import selectors as sel
from kefu.aftersales.choices import ReminderKind, ReminderStatus, ServiceKind
from kefu.aftersales.models import AftersalesSettings, Order, ServiceOrder, WarrantyReminder
from kefu.aftersales.transitions import service_machine
from kefu.core import clock, params
from kefu.core.actions import action
from kefu.core.errors import Conflict, ValidationFailed
from kefu.core.events import record_audit
from kefu.sla import deadlines

SERVICE_DEADLINE = {ServiceKind.TRAINING: "train_by", ServiceKind.INSPECTION: "inspect_start_by"}
TRAINING_MONTHS = 1
MAX_PARTS = 50


def service_due(kind: str, requested_at: datetime, appointment_at: datetime | None) -> datetime | None:
    """When the service is due: training within a month of the request, an inspection by the
    end of the request day (local time), on-site kinds at the appointment."""
    tz = sel.calendar().tz
    if kind == ServiceKind.TRAINING:
        local = requested_at.astimezone(tz)
        return datetime.combine(sel.add_months(local.date(), TRAINING_MONTHS), local.timetz())
    if kind == ServiceKind.INSPECTION:
        return datetime.combine(requested_at.astimezone(tz).date(), time(23, 59), tzinfo=tz)
    return appointment_at


def _in_warranty(order: Order | None, product: Any, today: date) -> bool | None:
    if order is None or product is None:
        return None
    line = order.lines.filter(product=product).select_related("order", "product").first()
    until = sel.warranty_until(line) if line else None
    return None if until is None else today <= until


def _set_deadline(so: ServiceOrder, now: datetime) -> None:
    name = SERVICE_DEADLINE.get(ServiceKind(so.kind))
    if name is None or so.due_at is None:
        return
    text = (
        _("Training for %(customer)s is due")
        if so.kind == ServiceKind.TRAINING
        else _("Start the inspection for %(customer)s today")
    ) % {"customer": so.ticket.customer}
    deadlines.set(
        so,
        name,
        so.due_at,
        now=now,
        warn_before=timedelta(days=3) if so.kind == ServiceKind.TRAINING else timedelta(hours=4),
        owner=so.technician or so.ticket.assignee,
        team=so.ticket.team,
        text=str(text)[:200],
        url=f"/service-orders/{so.pk}/",
        data={"status": so.status},
    )


def do_create_service_order(
    customer: Any,
    *,
    kind: str,
    actor: Any,
    now: datetime,
    description: str = "",
    order: Order | None = None,
    product: Any = None,
    address: str = "",
    appointment_at: datetime | None = None,
    technician: Any = None,
    conversation: Any = None,
) -> ServiceOrder:
    from kefu.tickets.actions import do_create_ticket, do_set_appointment

    if kind not in ServiceKind.values:
        raise ValidationFailed(_("Unknown service kind “%(kind)s”.") % {"kind": kind}, field="kind")
    if appointment_at is not None and appointment_at.tzinfo is None:
        raise ValidationFailed(_("The appointment needs a time zone."), field="appointment_at")
    if order is not None and order.customer_id != customer.pk:
        raise ValidationFailed(_("Order %(number)s belongs to another customer.") % {"number": order.number})
    if technician is not None and not technician.has_perm("aftersales.work_service_order"):
        raise ValidationFailed(_("%(user)s is not a technician.") % {"user": technician}, field="technician")
    if len(address) > 200:
        raise ValidationFailed(_("The address has at most 200 characters."), field="address")
    label = ServiceKind(kind).label
    subject = f"{label}: {product.name}" if product is not None else str(label)
    with transaction.atomic():
        ticket = do_create_ticket(
            customer,
            subject=subject[:200],
            description=description,
            type=kind,
            now=now,
            actor=actor,
            conversation=conversation,
            shop=order.shop if order else None,
            source="phone" if conversation is None else "",
        )
        so = ServiceOrder.objects.create(
            ticket=ticket,
            kind=kind,
            order=order,
            product=product,
            technician=technician,
            address=address or (order.address if order else ""),
            appointment_at=appointment_at,
            due_at=service_due(kind, now, appointment_at),
            in_warranty=_in_warranty(order, product, now.astimezone(sel.calendar().tz).date()),
            created_at=now,
            updated_at=now,
        )
        record_audit(so, "service_order.created", actor=actor, now=now, to_state=so.status, data={"kind": kind})
        if appointment_at is not None:
            do_set_appointment(ticket, appointment_at, actor=actor, now=now)
            service_machine.transition(so, "schedule", actor=actor, now=now)
        _set_deadline(so, now)
    return so


@action("aftersales.add_serviceorder")
def check_create_service_order(customer: Any, *, actor: Any, kind: str, **fields: Any) -> ServiceOrder:
    return do_create_service_order(customer, kind=kind, actor=actor, now=clock.now(), **fields)


@action("aftersales.change_serviceorder")
def check_schedule_service(
    so: ServiceOrder, *, actor: Any, appointment_at: datetime, technician: Any = None
) -> ServiceOrder:
    """The customer chose the on-site time (R7): it becomes the ticket's arrival target."""
    from kefu.tickets.actions import do_set_appointment

    if appointment_at is None or appointment_at.tzinfo is None:
        raise ValidationFailed(_("The appointment needs a date, a time and a time zone."), field="appointment_at")
    if technician is not None and not technician.has_perm("aftersales.work_service_order"):
        raise ValidationFailed(_("%(user)s is not a technician.") % {"user": technician}, field="technician")
    now = clock.now()
    with transaction.atomic():
        updates: dict[str, Any] = {"appointment_at": appointment_at}
        if technician is not None:
            updates["technician"] = technician
        if so.kind not in SERVICE_DEADLINE:
            updates["due_at"] = appointment_at
        service_machine.transition(so, "schedule", actor=actor, now=now, updates=updates)
        do_set_appointment(so.ticket, appointment_at, actor=actor, now=now)
        _set_deadline(so, now)
    return so


def _own(so: ServiceOrder, actor: Any) -> None:
    """A technician works their own service orders; supervisors anyone's."""
    if so.technician_id not in (None, getattr(actor, "pk", None)) and not actor.has_perm(
        "aftersales.change_serviceorder"
    ):
        raise Conflict(_("This service order is assigned to another technician."))


@action("aftersales.work_service_order")
def check_service_arrived(so: ServiceOrder, *, actor: Any) -> ServiceOrder:
    from kefu.sla import engine as sla

    _own(so, actor)
    now = clock.now()
    with transaction.atomic():
        service_machine.transition(so, "arrive", actor=actor, now=now)
        ticket = type(so.ticket).objects.select_for_update().get(pk=so.ticket_id)
        sla.arrived(ticket, now, actor=actor)
        ticket.save(update_fields=list(sla.SLA_COLUMNS))
        if so.kind == ServiceKind.INSPECTION:
            deadlines.stop(so, "inspect_start_by", now=now)
    return so


def clean_parts(parts: Any) -> tuple[list[dict[str, Any]], Decimal]:
    from kefu.aftersales.orders_input import money

    if not isinstance(parts, list) or len(parts) > MAX_PARTS:
        raise ValidationFailed(_("List at most %(n)d parts.") % {"n": MAX_PARTS}, field="parts")
    clean: list[dict[str, Any]] = []
    total = Decimal("0")
    for i, part in enumerate(parts, start=1):
        name = str(part.get("name", "")).strip() if isinstance(part, dict) else ""
        if not name:
            continue
        quantity = str(part.get("quantity", 1)).strip()
        if not params.is_digits(quantity) or int(quantity) < 1:
            raise ValidationFailed(_("Part %(n)d: the quantity must be a whole number.") % {"n": i}, field="parts")
        price = money(part.get("unit_price") or "0", str(_("Part %(n)d price") % {"n": i}))
        clean.append({"name": name[:80], "quantity": int(quantity), "unit_price": str(price)})
        total += price * int(quantity)
    return clean, total


@action("aftersales.work_service_order")
def check_finish_service(
    so: ServiceOrder, *, actor: Any, result: str, parts: Any = (), labour: Any = "0"
) -> ServiceOrder:
    """Record the work: parts used, cost (parts + labour), the result; an inspection's result
    goes to the customer at once (R10)."""
    from kefu.aftersales.notify import notify_customer
    from kefu.aftersales.orders_input import money

    _own(so, actor)
    result = (result or "").strip()
    if not result or len(result) > 4000:
        raise ValidationFailed(_("Describe the result (at most 4,000 characters)."), field="result")
    clean, parts_cost = clean_parts(list(parts))
    cost = parts_cost + money(labour or "0", str(_("Labour")))
    now = clock.now()
    with transaction.atomic():
        service_machine.transition(
            so, "finish", actor=actor, now=now, updates={"result": result, "parts": clean, "cost": cost}
        )
        deadlines.stop(so, now=now)
        if so.kind == ServiceKind.INSPECTION:
            customer = so.ticket.customer
            text = _inspection_text(so)
            if notify_customer(
                customer, text, order=so.order, conversation=so.ticket.conversation, now=now, actor=actor
            ):
                ServiceOrder.objects.filter(pk=so.pk).update(result_sent_at=now)
                so.result_sent_at = now
        if so.kind in (ServiceKind.INSTALLATION, ServiceKind.COMMISSIONING) and so.order is not None:
            do_schedule_inspection(so, now=now)
    return so


def _inspection_text(so: ServiceOrder) -> str:
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        return str(_("Hello, the inspection of your equipment is done. Result: %(result)s") % {"result": so.result})


@action("aftersales.change_serviceorder")
def check_confirm_service(so: ServiceOrder, *, actor: Any, note: str = "") -> ServiceOrder:
    """The customer confirmed the work (signature, phone or chat); the ticket is resolved."""
    from kefu.tickets.actions import do_transition_ticket
    from kefu.tickets.transitions import ticket_machine

    if len(note) > 300:
        raise ValidationFailed(_("The note has at most 300 characters."), field="note")
    now = clock.now()
    with transaction.atomic():
        service_machine.transition(so, "customer_confirm", actor=actor, now=now, updates={"confirmation_note": note})
        if ticket_machine.can(so.ticket.status, "resolve"):
            do_transition_ticket(
                so.ticket, "resolve", actor=actor, now=now, reason=str(_("Service confirmed by the customer"))
            )
    return so


@action("aftersales.change_serviceorder")
def check_cancel_service(so: ServiceOrder, *, actor: Any, reason: str = "") -> ServiceOrder:
    now = clock.now()
    with transaction.atomic():
        service_machine.transition(so, "cancel", actor=actor, now=now, data={"reason": reason[:300]})
        deadlines.stop(so, now=now)
    return so


def on_service_due(due: list[deadlines.Due], now: datetime) -> None:
    """A training or inspection deadline passed: the sweeper already audited and warned; the
    service order keeps running (it is late, shown in red), nothing else changes."""


# ---- warranty and inspection reminders (R25) ------------------------------------------------------


def do_create_warranty_reminders(order: Order, *, now: datetime) -> int:
    """On delivery: a warranty-expiry reminder per line whose product has a warranty, due the
    configured days before it ends. Idempotent (one per line, kind and date)."""
    config = AftersalesSettings.load()
    created = 0
    for line in order.lines.select_related("product", "order"):
        until = sel.warranty_until(line)
        if until is None:
            continue
        _, made = WarrantyReminder.objects.get_or_create(
            order_line=line,
            kind=ReminderKind.WARRANTY_EXPIRY,
            due_on=until - timedelta(days=config.warranty_notice_days),
            defaults={"customer_id": order.customer_id, "created_at": now, "note": ""},
        )
        created += made
    return created


def do_schedule_inspection(so: ServiceOrder, *, now: datetime, after: date | None = None) -> WarrantyReminder | None:
    """Installed equipment gets its next periodic inspection reminder (rolling: marking one
    done schedules the next)."""
    if so.order is None:
        return None
    line = so.order.lines.filter(product=so.product).first() if so.product else so.order.lines.first()
    if line is None:
        return None
    config = AftersalesSettings.load()
    start = after or now.astimezone(sel.calendar().tz).date()
    reminder, _ = WarrantyReminder.objects.get_or_create(
        order_line=line,
        kind=ReminderKind.INSPECTION,
        due_on=sel.add_months(start, config.inspection_interval_months),
        defaults={"customer_id": so.order.customer_id, "created_at": now},
    )
    return reminder


@action("aftersales.change_warrantyreminder")
def check_reminder_done(reminder: WarrantyReminder, *, actor: Any, note: str = "") -> WarrantyReminder:
    """Done (the customer was called, the inspection booked); an inspection reminder schedules
    the next one."""
    if reminder.status == ReminderStatus.DONE:
        raise Conflict(_("This reminder is already done."))
    if len(note) > 300:
        raise ValidationFailed(_("The note has at most 300 characters."), field="note")
    now = clock.now()
    with transaction.atomic():
        reminder.status = ReminderStatus.DONE
        reminder.done_at = now
        reminder.done_by = actor
        reminder.note = note
        reminder.save(update_fields=["status", "done_at", "done_by", "note"])
        record_audit(reminder, "reminder.done", actor=actor, now=now, to_state=reminder.status)
        if reminder.kind == ReminderKind.INSPECTION:
            config = AftersalesSettings.load()
            WarrantyReminder.objects.get_or_create(
                order_line=reminder.order_line,
                kind=ReminderKind.INSPECTION,
                due_on=sel.add_months(reminder.due_on, config.inspection_interval_months),
                defaults={"customer_id": reminder.customer_id, "created_at": now},
            )
    return reminder


@action("aftersales.change_warrantyreminder")
def check_snooze_reminder(reminder: WarrantyReminder, *, actor: Any, days: int = 7) -> WarrantyReminder:
    if reminder.status == ReminderStatus.DONE:
        raise Conflict(_("This reminder is already done."))
    if not isinstance(days, int) or not 1 <= days <= 365:
        raise ValidationFailed(_("Snooze for 1 to 365 days."), field="days")
    now = clock.now()
    until = now.astimezone(sel.calendar().tz).date() + timedelta(days=days)
    with transaction.atomic():
        reminder.status = ReminderStatus.SNOOZED
        reminder.snoozed_until = until
        reminder.save(update_fields=["status", "snoozed_until"])
        record_audit(reminder, "reminder.snoozed", actor=actor, now=now, data={"until": until.isoformat()})
    return reminder
