"""Writes to tickets (work orders)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from kefu.core import clock
from kefu.core.actions import action, has_perm, require
from kefu.core.assignment import assign_locked
from kefu.core.choices import Priority, Stage
from kefu.core.errors import PermissionDenied, ValidationFailed
from kefu.core.events import notify, publish, record_audit
from kefu.core.models import Notification
from kefu.core.notifications import StaffNote, do_notify_staff
from kefu.core.records import save_changes
from kefu.customers.models import Customer
from kefu.sla import engine as sla
from kefu.tickets.choices import SERVICE_CLASS_OF_TYPE, TicketStatus, TicketType
from kefu.tickets.models import SavedView, Ticket, TicketField, TicketLink, TicketRemark
from kefu.tickets.transitions import EVENT_PERMISSION, ticket_machine

EDITABLE = ("subject", "description", "type", "priority", "stage", "service_class")


def clean_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Validate editable ticket fields (``ValidationFailed`` names the problem)."""
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
    parent: Ticket | None = None,
    **fields: Any,
) -> Ticket:
    clean = clean_fields({"subject": subject, **fields})
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
            parent=parent,
            created_by=actor if getattr(actor, "pk", None) else None,
            created_at=now,
            updated_at=now,
            status=TicketStatus.OPEN if assignee else TicketStatus.NEW,
            **clean,
        )
        policy = sla.start(ticket, now)
        ticket.save(update_fields=sla.SLA_COLUMNS)
        record_audit(
            ticket,
            "ticket.created",
            actor=actor,
            now=now,
            to_state=ticket.status,
            data={"sla_policy": policy.id, "sla_policy_name": policy.name} if policy else None,
        )
        publish(ticket.stream_key, "ticket", "created", _payload(ticket), now=now)
        _emit("ticket.created", ticket, now)
    return ticket


def _emit(event: str, ticket: Ticket, now: datetime) -> None:
    """Run the automation triggers of ``event`` (inside the caller's transaction)."""
    from kefu.automation.actions import run_triggers

    run_triggers(event, ticket, now=now)


@action("tickets.add_ticket")
def check_create_ticket(customer: Customer, *, actor: Any, subject: str, **kwargs: Any) -> Ticket:
    if kwargs.get("assignee") is not None:
        require(actor, "tickets.assign_ticket")
    return do_create_ticket(customer, subject=subject, now=clock.now(), actor=actor, **kwargs)


@action("tickets.change_ticket")
def check_update_ticket(ticket: Ticket, *, actor: Any, **fields: Any) -> Ticket:
    clean = clean_fields(fields)
    if ticket.status == TicketStatus.CLOSED:
        raise ValidationFailed(_("A closed ticket cannot be changed."))
    return do_update_ticket(ticket, clean, actor=actor, now=clock.now())


# Fields whose change may change the SLA policy that applies.
POLICY_FIELDS = frozenset({"type", "priority", "team", "source", "customer"})


def do_update_ticket(ticket: Ticket, clean: dict[str, Any], *, actor: Any, now: datetime) -> Ticket:
    with transaction.atomic():
        if save_changes(ticket, clean, actor=actor, now=now, verb="ticket.updated"):
            if POLICY_FIELDS & set(clean) and sla.rematch(ticket, now, actor=actor):
                ticket.save(update_fields=sla.SLA_COLUMNS)
            publish(ticket.stream_key, "ticket", "updated", _payload(ticket), now=now)
            _emit("ticket.updated", ticket, now)
    return ticket


def do_assign_ticket(ticket: Ticket, *, assignee: Any, team: Any, actor: Any, now: datetime) -> Ticket:
    with transaction.atomic():
        locked = assign_locked(
            Ticket, ticket.pk, assignee=assignee, team=team, actor=actor, now=now, verb="ticket.assigned"
        )
        if assignee is not None and locked.status == TicketStatus.NEW:
            ticket_machine.transition(locked, "open", actor=actor, now=now, data={"cause": "assigned"})
            sla.status_changed(locked, TicketStatus.NEW, locked.status, now, actor=actor)
        sla.rematch(locked, now, actor=actor)  # the team may decide the policy
        locked.save(update_fields=sla.SLA_COLUMNS)
        publish(locked.stream_key, "ticket", "assigned", _payload(locked), now=now)
        _emit("ticket.updated", locked, now)
    locked.refresh_from_db()
    ticket.assignee, ticket.team, ticket.status = locked.assignee, locked.team, locked.status
    _copy_sla(locked, ticket)
    return ticket


def _copy_sla(source: Ticket, target: Ticket) -> None:
    for name in (*sla.SLA_COLUMNS, "first_responded_at", "updated_at"):
        field = "sla_policy_id" if name == "sla_policy" else name
        setattr(target, field, getattr(source, field))


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
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        old = locked.status
        ticket_machine.transition(
            locked, event, actor=actor, now=now, updates=updates, data={"reason": reason} if reason else None
        )
        sla.status_changed(locked, old, locked.status, now, actor=actor)
        locked.save(update_fields=[*sla.SLA_COLUMNS, "first_responded_at"])
        publish(locked.stream_key, "ticket", "status", _payload(locked), now=now)
        _emit("ticket.status", locked, now)
    locked.refresh_from_db()
    for name in ("status", "resolved_at", "closed_at"):
        setattr(ticket, name, getattr(locked, name))
    _copy_sla(locked, ticket)
    return ticket


def do_customer_replied(ticket: Ticket, *, now: datetime) -> Ticket:
    """The customer answered (by mail, chat, phone): a pending ticket goes back to open
    (the system event ``customer_replied``) and the next-response clock starts."""
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if locked.status == TicketStatus.PENDING:
            ticket_machine.transition(locked, "customer_replied", actor=None, now=now)
            sla.status_changed(locked, TicketStatus.PENDING, locked.status, now)
            publish(locked.stream_key, "ticket", "status", _payload(locked), now=now)
        if locked.status not in (TicketStatus.RESOLVED, TicketStatus.CLOSED, TicketStatus.CANCELLED):
            sla.customer_replied(locked, now)
        locked.save(update_fields=sla.SLA_COLUMNS)
        _emit("ticket.customer_replied", locked, now)
    locked.refresh_from_db()
    ticket.status = locked.status
    _copy_sla(locked, ticket)
    return ticket


def do_record_response(ticket: Ticket, *, actor: Any, now: datetime, how: str = "") -> Ticket:
    """An agent answered or contacted the customer (reply, call, visit): first and next
    response targets are met."""
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        sla.responded(locked, now, actor=actor)
        locked.updated_at = now
        locked.save(update_fields=[*sla.SLA_COLUMNS, "first_responded_at", "updated_at"])
        record_audit(locked, "ticket.contacted", actor=actor, now=now, data={"how": how} if how else None)
        publish(locked.stream_key, "ticket", "updated", _payload(locked), now=now)
    _copy_sla(locked, ticket)
    return ticket


CONTACT_KINDS = ("phone", "email", "chat", "visit", "fax", "other")


@action("tickets.change_ticket")
def check_record_contact(ticket: Ticket, *, actor: Any, how: str = "phone") -> Ticket:
    if how not in CONTACT_KINDS:
        raise ValidationFailed(_("Unknown way of contact."))
    if ticket.status in (TicketStatus.CLOSED, TicketStatus.CANCELLED):
        raise ValidationFailed(_("A closed or cancelled ticket cannot be changed."))
    return do_record_response(ticket, actor=actor, now=clock.now(), how=how)


def do_set_appointment(ticket: Ticket, when: datetime | None, *, actor: Any, now: datetime) -> Ticket:
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        before = locked.appointment_at
        locked.appointment_at = when
        sla.appointment_changed(locked, now)
        locked.updated_at = now
        locked.save(update_fields=[*sla.SLA_COLUMNS, "appointment_at", "updated_at"])
        record_audit(
            locked,
            "ticket.appointment",
            actor=actor,
            now=now,
            data={"from": before.isoformat() if before else None, "to": when.isoformat() if when else None},
        )
        publish(locked.stream_key, "ticket", "updated", _payload(locked), now=now)
    ticket.appointment_at = locked.appointment_at
    _copy_sla(locked, ticket)
    return ticket


@action("tickets.change_ticket")
def check_set_appointment(ticket: Ticket, when: datetime | None, *, actor: Any) -> Ticket:
    if when is not None and when.tzinfo is None:
        raise ValidationFailed(_("The agreed time needs a time zone."))
    if ticket.status in (TicketStatus.CLOSED, TicketStatus.CANCELLED):
        raise ValidationFailed(_("A closed or cancelled ticket cannot be changed."))
    return do_set_appointment(ticket, when, actor=actor, now=clock.now())


@action("tickets.change_ticket")
def check_record_arrival(ticket: Ticket, *, actor: Any) -> Ticket:
    now = clock.now()
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        sla.arrived(locked, now, actor=actor)
        locked.updated_at = now
        locked.save(update_fields=[*sla.SLA_COLUMNS, "updated_at"])
        record_audit(locked, "ticket.arrived", actor=actor, now=now)
        publish(locked.stream_key, "ticket", "updated", _payload(locked), now=now)
    _copy_sla(locked, ticket)
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
        _notify_mentions(ticket, remark, author, now)
        publish(ticket.stream_key, "ticket", "remark", {**_payload(ticket), "remark": remark.pk}, now=now)
    return remark


@action("tickets.add_ticketremark")
def check_add_ticket_remark(ticket: Ticket, text: str, *, actor: Any) -> TicketRemark:
    return do_add_ticket_remark(ticket, text, author=actor, now=clock.now())


def tag_list(ticket: Ticket) -> list[str]:
    return [t for t in (ticket.tags or "").split(",") if t]


def _clean_tags(tags: list[str]) -> list[str]:
    clean: list[str] = []
    for tag in tags:
        tag = str(tag).strip().replace(",", " ")
        if not tag:
            continue
        if len(tag) > 40:
            raise ValidationFailed(_("A tag has at most 40 characters."))
        if tag not in clean:
            clean.append(tag)
    if len(",".join(clean)) > 398:
        raise ValidationFailed(_("Too many tags."))
    return clean


def do_set_tags(ticket: Ticket, tags: list[str], *, actor: Any, now: datetime) -> Ticket:
    clean = _clean_tags(tags)
    value = ("," + ",".join(clean) + ",") if clean else ""
    with transaction.atomic():
        if save_changes(ticket, {"tags": value}, actor=actor, now=now, verb="ticket.updated"):
            publish(ticket.stream_key, "ticket", "updated", _payload(ticket), now=now)
            _emit("ticket.updated", ticket, now)
    return ticket


@action("tickets.change_ticket")
def check_set_tags(ticket: Ticket, tags: list[str], *, actor: Any) -> Ticket:
    if ticket.status == TicketStatus.CLOSED:
        raise ValidationFailed(_("A closed ticket cannot be changed."))
    return do_set_tags(ticket, tags, actor=actor, now=clock.now())


def do_conversation_message(conversation: Any, *, author_kind: str, now: datetime, actor: Any = None) -> None:
    """Hook for channel code (chat, email intake): a message was posted in ``conversation``.
    An agent's public reply meets the response targets of its open tickets; a customer's
    message is ``customer_replied`` for them (pending → open, next-response clock starts)."""
    open_states = (TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.PENDING, TicketStatus.ON_HOLD)
    for ticket in Ticket.objects.filter(conversation=conversation, status__in=open_states):
        if author_kind == "customer":
            do_customer_replied(ticket, now=now)
        elif author_kind == "agent":
            do_record_response(ticket, actor=actor, now=now, how="reply")


# --- merge, split, link ------------------------------------------------------------------------------

CLOSED_STATES = (TicketStatus.CLOSED, TicketStatus.CANCELLED)


def do_merge_tickets(source: Ticket, target: Ticket, *, actor: Any, now: datetime) -> Ticket:
    """Fold ``source`` into ``target``: its remarks and links move over, its description is kept
    as a remark, and ``source`` is cancelled with ``merged_into`` pointing at ``target``."""
    with transaction.atomic():
        locked = {t.pk: t for t in Ticket.objects.select_for_update().filter(pk__in=[source.pk, target.pk])}
        src, dst = locked[source.pk], locked[target.pk]
        TicketRemark.objects.filter(ticket=src).update(ticket=dst)
        for link in TicketLink.objects.filter(Q(source=src) | Q(target=src)):
            other = link.target_id if link.source_id == src.pk else link.source_id
            linked = TicketLink.objects.filter(Q(source=dst, target_id=other) | Q(source_id=other, target=dst))
            if other != dst.pk and not linked.exists():
                TicketLink.objects.create(source=dst, target_id=other, created_at=now)
            link.delete()
        Ticket.objects.filter(parent=src).update(parent=dst)
        text = _("Merged from #%(id)s %(subject)s") % {"id": src.pk, "subject": src.subject}
        if src.description:
            text += "\n" + src.description
        TicketRemark.objects.create(
            ticket=dst, author=actor if getattr(actor, "pk", None) else None, text=text[:5000], created_at=now
        )
        src.merged_into = dst
        src.save(update_fields=["merged_into"])
        if ticket_machine.can(src.status, "cancel"):
            do_transition_ticket(src, "cancel", actor=actor, now=now, reason=_("merged into #%(id)s") % {"id": dst.pk})
        record_audit(dst, "ticket.merged", actor=actor, now=now, data={"from": src.pk})
        record_audit(src, "ticket.merged_into", actor=actor, now=now, data={"into": dst.pk})
        publish(dst.stream_key, "ticket", "updated", _payload(dst), now=now)
    source.refresh_from_db()
    target.refresh_from_db()
    return target


@action("tickets.merge_tickets")
def check_merge_tickets(source: Ticket, target: Ticket, *, actor: Any) -> Ticket:
    if source.pk == target.pk:
        raise ValidationFailed(_("A ticket cannot be merged into itself."))
    if source.customer_id != target.customer_id:
        raise ValidationFailed(_("Only tickets of the same customer can be merged."))
    if target.status in CLOSED_STATES or target.merged_into_id:
        raise ValidationFailed(_("Merge into an open ticket."))
    if source.merged_into_id:
        raise ValidationFailed(_("This ticket was already merged."))
    return do_merge_tickets(source, target, actor=actor, now=clock.now())


@action("tickets.merge_tickets")
def check_split_ticket(ticket: Ticket, *, actor: Any, subject: str, description: str = "") -> Ticket:
    """A new ticket for part of the work (same customer and conversation), linked to this one."""
    now = clock.now()
    with transaction.atomic():
        new = do_create_ticket(
            ticket.customer,
            subject=subject,
            description=description,
            now=now,
            actor=actor,
            conversation=ticket.conversation,
            team=ticket.team,
            source=ticket.source,
            shop=ticket.shop,
            type=ticket.type,
            priority=ticket.priority,
        )
        TicketLink.objects.create(source=ticket, target=new, created_at=now)
        record_audit(ticket, "ticket.split", actor=actor, now=now, data={"into": new.pk})
    return new


@action("tickets.change_ticket")
def check_link_tickets(ticket: Ticket, other: Ticket, *, actor: Any, kind: str = "related") -> Ticket:
    """``kind``: ``related`` (both ways), ``parent`` (``other`` becomes the parent) or ``unlink``."""
    if ticket.pk == other.pk:
        raise ValidationFailed(_("A ticket cannot be linked to itself."))
    now = clock.now()
    with transaction.atomic():
        if kind == "related":
            if not TicketLink.objects.filter(Q(source=ticket, target=other) | Q(source=other, target=ticket)).exists():
                TicketLink.objects.create(source=ticket, target=other, created_at=now)
        elif kind == "parent":
            ancestor: Ticket | None = other
            while ancestor is not None:  # no cycles
                if ancestor.pk == ticket.pk:
                    raise ValidationFailed(_("That would make the ticket its own ancestor."))
                ancestor = ancestor.parent
            save_changes(ticket, {"parent": other}, actor=actor, now=now, verb="ticket.updated")
        elif kind == "unlink":
            TicketLink.objects.filter(Q(source=ticket, target=other) | Q(source=other, target=ticket)).delete()
            if ticket.parent_id == other.pk:
                save_changes(ticket, {"parent": None}, actor=actor, now=now, verb="ticket.updated")
        else:
            raise ValidationFailed(_("Unknown kind of link."))
        record_audit(ticket, "ticket.linked", actor=actor, now=now, data={"kind": kind, "other": other.pk})
        publish(ticket.stream_key, "ticket", "updated", _payload(ticket), now=now)
    return ticket


# --- custom fields -------------------------------------------------------------------------------------


def clean_custom(ticket_type: str, values: dict[str, Any]) -> dict[str, Any]:
    defs = {f.key: f for f in TicketField.objects.filter(ticket_type=ticket_type)}
    unknown = set(values) - set(defs)
    if unknown:
        raise ValidationFailed(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    clean: dict[str, Any] = {}
    for key, field in defs.items():
        raw = str(values.get(key, "") or "").strip()
        if not raw:
            if field.required:
                raise ValidationFailed(_("“%(label)s” is required.") % {"label": field.label})
            continue
        if field.kind == TicketField.Kind.NUMBER:
            try:
                clean[key] = float(raw) if "." in raw else int(raw)
            except ValueError:
                raise ValidationFailed(_("“%(label)s” must be a number.") % {"label": field.label}) from None
        elif field.kind == TicketField.Kind.DATE:
            try:
                clean[key] = date.fromisoformat(raw).isoformat()
            except ValueError:
                raise ValidationFailed(_("“%(label)s” must be a date (YYYY-MM-DD).") % {"label": field.label}) from None
        elif field.kind == TicketField.Kind.CHOICE:
            if raw not in field.choice_list():
                raise ValidationFailed(_("“%(label)s” must be one of the choices.") % {"label": field.label})
            clean[key] = raw
        else:
            if len(raw) > 500:
                raise ValidationFailed(_("“%(label)s” has at most 500 characters.") % {"label": field.label})
            clean[key] = raw
    return clean


@action("tickets.change_ticket")
def check_set_custom_fields(ticket: Ticket, values: dict[str, Any], *, actor: Any) -> Ticket:
    if ticket.status == TicketStatus.CLOSED:
        raise ValidationFailed(_("A closed ticket cannot be changed."))
    clean = clean_custom(ticket.type, values)
    now = clock.now()
    with transaction.atomic():
        if save_changes(ticket, {"custom": clean}, actor=actor, now=now, verb="ticket.updated"):
            publish(ticket.stream_key, "ticket", "updated", _payload(ticket), now=now)
    return ticket


# --- @mentions -----------------------------------------------------------------------------------------

MENTION = re.compile(r"@([\w.\-]+)")


def mentioned_users(text: str) -> list[Any]:
    from kefu.accounts.models import User

    names = set(MENTION.findall(text))
    return list(User.objects.filter(username__in=names, is_active=True)) if names else []


def _notify_mentions(ticket: Ticket, remark: TicketRemark, author: Any, now: datetime) -> None:
    users = [u for u in mentioned_users(remark.text) if u.pk != getattr(author, "pk", None)]
    if not users:
        return
    who = str(author) if author is not None else _("system")
    text = _("%(who)s mentioned you on #%(id)s %(subject)s") % {"who": who, "id": ticket.pk, "subject": ticket.subject}
    do_notify_staff([StaffNote(u.pk, Notification.Kind.MENTION, text, ticket=ticket.pk) for u in users], now=now)
    for u in users:
        notify(f"user:{u.pk}", "notification", "mention", {"ticket": ticket.pk, "remark": remark.pk}, now=now)
    record_audit(ticket, "ticket.mentioned", actor=author, now=now, data={"users": [u.pk for u in users]})


# --- saved views of the ticket list -------------------------------------------------------------------


@action("tickets.view_ticket")
def check_save_view(*, actor: Any, name: str, query: str, shared: bool = False) -> SavedView:
    name = (name or "").strip()
    if not name or len(name) > 60:
        raise ValidationFailed(_("A view needs a name of at most 60 characters."))
    if len(query) > 1000:
        raise ValidationFailed(_("Too many filters."))
    if shared and not has_perm(actor, "tickets.assign_ticket"):
        raise PermissionDenied(_("Only supervisors and team staff may share views."))
    view = SavedView.objects.filter(owner=actor, name=name).first()
    now = clock.now()
    if view is None:
        view = SavedView.objects.create(owner=actor, name=name, query=query, shared=shared, created_at=now)
    else:
        view.query, view.shared = query, shared
        view.save(update_fields=["query", "shared"])
    return view


@action("tickets.view_ticket")
def check_delete_view(view: SavedView, *, actor: Any) -> None:
    if view.owner_id != actor.pk:
        raise PermissionDenied(_("Only its owner can delete a view."))
    view.delete()


# --- in-app notifications -------------------------------------------------------------------------


@action("tickets.view_ticket")
def check_mark_notifications_read(*, actor: Any, ids: list[int] | None = None) -> int:
    """Mark the actor's notifications read (all of them, or those in ``ids``); returns how many."""
    qs = Notification.objects.filter(user=actor, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=clock.now())
