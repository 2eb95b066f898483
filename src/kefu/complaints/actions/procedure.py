"""Writes to complaints: register (from the form, a conversation or a ticket), seed 004's steps,
the customer's agreement, implementation tasks, escalation and its deadlines, claiming."""

from __future__ import annotations

import secrets
from datetime import datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from kefu.accounts.choices import Role
from kefu.accounts.models import Team, User
from kefu.complaints.actions.fields import text_field
from kefu.complaints.actions.notices import answer_customer, complaint_url, notify_staff, notify_supervisors
from kefu.complaints.actions.staff_record import check_verify_staff_fault
from kefu.complaints.choices import (
    Agreement,
    ComplaintChannel,
    ComplaintStatus,
    Level,
    Responsibility,
    Severity,
)
from kefu.complaints.models import Complaint, ComplaintNote, ComplaintSettings, ComplaintTask
from kefu.complaints.transitions import EVENT_PERMISSION, complaint_machine
from kefu.core import clock
from kefu.core.actions import action, require
from kefu.core.errors import Conflict, ValidationFailed
from kefu.core.events import publish, record_audit
from kefu.core.uploads import check_upload
from kefu.customers.models import Customer
from kefu.sla import deadlines

S = ComplaintStatus
COMPENSATION_KINDS = ("coupon", "gift", "money")


# --- deadlines (contract D) --------------------------------------------------------------------


def end_of_day(moment: datetime) -> datetime:
    """R9: the answer is due by the end of the day the complaint was received, in the
    deployment's time zone (``settings.TIME_ZONE``)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    local = moment.astimezone(zone)
    return datetime.combine(local.date(), time(23, 59, 59), tzinfo=zone)


def _arm(complaint: Complaint, name: str, due_at: datetime, *, now: datetime, text: str, **data: Any) -> None:
    deadlines.set(
        complaint,
        name,
        due_at,
        now=now,
        warn_before=min(timedelta(hours=1), max(timedelta(0), (due_at - now) / 2)),
        owner=complaint.handler or complaint.received_by,
        team=complaint.team,
        text=text,
        url=complaint_url(complaint),
        data=data,
    )


def _arm_task(task: ComplaintTask, *, now: datetime) -> None:
    deadlines.set(
        task.complaint,
        f"task_{task.pk}",
        task.due_at,
        now=now,
        warn_before=timedelta(hours=4),
        owner=task.owner,
        team=task.complaint.team,
        text=_("Complaint #%(id)s: %(task)s") % {"id": task.complaint_id, "task": task.description[:120]},
        url=complaint_url(task.complaint),
        data={"task": task.pk},
    )


def escalation_target(complaint: Complaint, level: int) -> User | None:
    """Who takes over at ``level``: the team's leader, else (or above) a supervisor."""
    if level <= Level.TEAM_LEADER:
        team = complaint.team
        if team is None and complaint.handler_id:
            team = Team.objects.filter(members=complaint.handler_id, leader__isnull=False).first()
        leader = team.leader if team is not None else None
        if leader is not None and leader.is_active and leader.pk != complaint.handler_id:
            return leader
    supervisors = User.objects.filter(is_active=True, groups__name=Role.SUPERVISOR)
    if complaint.handler_id is not None:
        supervisors = supervisors.exclude(pk=complaint.handler_id)
    return supervisors.order_by("id").first()


def do_escalate(complaint: Complaint, *, reason: str, now: datetime) -> Complaint:
    """A deadline passed: raise the handler's level and assign the leader (R29), audited."""
    with transaction.atomic():
        locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
        level = min(locked.level + 1, Level.SUPERVISOR)
        target = escalation_target(locked, level)
        if target is None and level == Level.TEAM_LEADER:
            level = Level.SUPERVISOR
            target = escalation_target(locked, level)
        old_level, old_handler = locked.level, locked.handler_id
        locked.level = level
        if target is not None:
            locked.handler = target
        locked.updated_at = now
        locked.save(update_fields=["level", "handler", "updated_at"])
        record_audit(
            locked,
            "complaint.escalated",
            actor=None,
            now=now,
            data={
                "reason": reason,
                "from_level": old_level,
                "to_level": level,
                "from_handler": old_handler,
                "handler": locked.handler_id,
            },
        )
        if target is not None:
            notify_staff(
                target,
                _("Complaint #%(id)s escalated to you: %(reason)s") % {"id": locked.pk, "reason": reason},
                locked,
                now,
            )
        publish(locked.stream_key, "complaint", "escalated", _payload(locked), now=now)
    return locked


def on_due(due: list[deadlines.Due], now: datetime) -> None:
    """The sweeper's call when complaint deadlines pass; escalates only if still unmet."""
    for item in due:
        complaint = Complaint.objects.select_for_update().filter(pk=int(item.object_id)).first()
        if complaint is None or complaint.status == S.CLOSED:
            continue
        if item.name == "contact_by" and complaint.status == S.REGISTERED:
            do_escalate(complaint, reason=_("the customer was not contacted in time"), now=now)
        elif item.name == "answer_by" and complaint.answered_at is None:
            do_escalate(complaint, reason=_("no answer the same day"), now=now)
        elif item.name.startswith("task_"):
            task = ComplaintTask.objects.filter(pk=int(item.data.get("task") or 0), complaint=complaint).first()
            if task is not None and task.done_at is None:
                do_escalate(
                    complaint,
                    reason=_("the task “%(task)s” is overdue") % {"task": task.description[:80]},
                    now=now,
                )


# --- helpers -----------------------------------------------------------------------------------


def _payload(c: Complaint) -> dict[str, Any]:
    return {"complaint": c.pk, "status": c.status, "handler": c.handler_id, "level": c.level}


def _note(complaint: Complaint, kind: str, text: str, actor: Any, now: datetime) -> None:
    if text:
        ComplaintNote.objects.create(
            complaint=complaint,
            kind=kind,
            text=text,
            author=actor if getattr(actor, "pk", None) else None,
            created_at=now,
        )


# --- register ----------------------------------------------------------------------------------


def clean_register(fields: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    channel = fields.get("channel") or ""
    if channel not in ComplaintChannel.values:
        raise ValidationFailed(_("Unknown channel “%(value)s”.") % {"value": channel})
    clean["channel"] = channel
    severity = fields.get("severity") or Severity.NORMAL
    if severity not in Severity.values:
        raise ValidationFailed(_("Unknown severity “%(value)s”.") % {"value": severity})
    clean["severity"] = severity
    clean["summary"] = text_field(fields.get("summary"), _("What happened"))
    clean["wants"] = text_field(fields.get("wants"), _("What the customer wants"), required=False)
    for key in ("order", "conversation", "ticket", "about_staff", "team"):
        if fields.get(key) is not None:
            clean[key] = fields[key]
    return clean


def do_register_complaint(customer: Customer, *, actor: Any, now: datetime, **fields: Any) -> Complaint:
    clean = clean_register(fields)
    if customer.merged_into_id:
        raise ValidationFailed(_("That customer was merged into another; use the other one."))
    with transaction.atomic():
        complaint = Complaint.objects.create(
            customer=customer,
            received_by=actor,
            received_at=now,
            created_at=now,
            updated_at=now,
            status=S.REGISTERED,
            **clean,
        )
        contact_minutes = ComplaintSettings.load().contact_minutes
        _arm(
            complaint,
            "contact_by",
            now + timedelta(minutes=contact_minutes),
            now=now,
            text=_("Complaint #%(id)s: contact the customer") % {"id": complaint.pk},
            status=S.REGISTERED,
        )
        _arm(
            complaint,
            "answer_by",
            end_of_day(now),
            now=now,
            text=_("Complaint #%(id)s: answer the customer today") % {"id": complaint.pk},
        )
        record_audit(
            complaint,
            "complaint.registered",
            actor=actor,
            now=now,
            to_state=complaint.status,
            data={"conversation": complaint.conversation_id, "ticket": complaint.ticket_id},
        )
        publish(complaint.stream_key, "complaint", "created", _payload(complaint), now=now)
    return complaint


@action("complaints.add_complaint")
def check_register_complaint(customer: Customer, *, actor: Any, **fields: Any) -> Complaint:
    """The register form (投诉登记表), signed with the actor's account and the time."""
    return do_register_complaint(customer, actor=actor, now=clock.now(), **fields)


def complaint_defaults_from_conversation(conversation: Any) -> dict[str, Any]:
    from kefu.complaints.choices import CHANNEL_OF_CONVERSATION

    customer_lines = [
        m.text.strip()
        for m in conversation.messages.filter(author_kind="customer", is_internal=False).order_by("created_at")[:20]
        if m.text.strip()
    ]
    return {
        "channel": CHANNEL_OF_CONVERSATION.get(conversation.channel.kind, ComplaintChannel.CHAT),
        "summary": "\n".join(customer_lines)[:2000] or conversation.subject or _("(see the conversation)"),
        "conversation": conversation,
        "team": conversation.team,
    }


@action("complaints.add_complaint")
def check_complaint_from_conversation(conversation: Any, *, actor: Any, **fields: Any) -> Complaint:
    """One click: the conversation becomes a complaint and stays linked (its transcript shows)."""
    existing = Complaint.objects.filter(conversation=conversation).exclude(status=S.CLOSED).first()
    if existing is not None:
        raise Conflict(
            _("This conversation is already complaint #%(id)s.") % {"id": existing.pk}, complaint=existing.pk
        )
    given = {k: v for k, v in fields.items() if v not in (None, "")}
    data = {**complaint_defaults_from_conversation(conversation), **given}
    return do_register_complaint(conversation.customer, actor=actor, now=clock.now(), **data)


@action("complaints.add_complaint")
def check_complaint_from_ticket(ticket: Any, *, actor: Any, **fields: Any) -> Complaint:
    existing = Complaint.objects.filter(ticket=ticket).exclude(status=S.CLOSED).first()
    if existing is not None:
        raise Conflict(_("This ticket is already complaint #%(id)s.") % {"id": existing.pk}, complaint=existing.pk)
    data: dict[str, Any] = {
        "channel": ComplaintChannel.CHAT if ticket.conversation_id else ComplaintChannel.PHONE,
        "summary": (ticket.subject + "\n" + (ticket.description or "")).strip()[:2000],
        "ticket": ticket,
        "conversation": ticket.conversation,
        "team": ticket.team,
    }
    if ticket.conversation_id:
        from kefu.complaints.choices import CHANNEL_OF_CONVERSATION

        data["channel"] = CHANNEL_OF_CONVERSATION.get(ticket.conversation.channel.kind, ComplaintChannel.CHAT)
    data.update({k: v for k, v in fields.items() if v not in (None, "")})
    return do_register_complaint(ticket.customer, actor=actor, now=clock.now(), **data)


# --- the procedure -----------------------------------------------------------------------------


def _compensation(raw: Any) -> dict[str, Any]:
    if not raw:
        return {}
    if not isinstance(raw, dict):
        raise ValidationFailed(_("The compensation must be an object with kind and amount."))
    kind = raw.get("kind")
    if kind not in COMPENSATION_KINDS:
        raise ValidationFailed(_("The compensation kind is coupon, gift or money."))
    try:
        amount = Decimal(str(raw.get("amount", "0")))
    except InvalidOperation:
        raise ValidationFailed(_("The compensation amount must be a number.")) from None
    if amount <= 0 or amount > Decimal("1000000"):
        raise ValidationFailed(_("The compensation amount must be more than 0."))
    return {"kind": kind, "amount": str(amount), "reason": str(raw.get("reason") or "")[:200]}


def _offer_compensation(complaint: Complaint, actor: Any, now: datetime) -> dict[str, Any]:
    """Contract F: the approved plan's compensation becomes an after-sales compensation record
    (offered by the approving supervisor, so it is approved at once)."""
    from kefu.cases.actions import check_approve_compensation, check_offer_compensation

    wanted = dict(complaint.compensation or {})
    if not wanted or wanted.get("id"):
        return wanted
    comp = check_offer_compensation(
        actor=actor,
        customer=complaint.customer,
        kind=wanted["kind"],
        amount=Decimal(wanted["amount"]),
        reason=wanted.get("reason") or _("Complaint #%(id)s") % {"id": complaint.pk},
        order=complaint.order,
        note=complaint.plan[:300],
        source="complaint",
        source_id=str(complaint.pk),
        now=now,
    )
    if comp.status == "pending_approval":
        check_approve_compensation(
            comp,
            actor=actor,
            approve=True,
            note=_("Approved with the plan of complaint #%(id)s") % {"id": complaint.pk},
            now=now,
        )
        comp.refresh_from_db()
    return {**wanted, "id": comp.pk, "status": comp.status}


def _staff_member(value: Any) -> User:
    if isinstance(value, User):
        return value
    user = User.objects.filter(username=str(value or ""), is_active=True).first()
    if user is None:
        raise ValidationFailed(_("There is no active staff member “%(name)s”.") % {"name": value})
    return user


def _prepare(complaint: Complaint, event: str, data: dict[str, Any], actor: Any, now: datetime) -> dict[str, Any]:
    """Validate an event's fields; return the columns it sets."""
    if event == "contact":
        return {"contact_note": text_field(data.get("note"), _("The details, restated")), "handler": actor}
    if event == "analyse":
        responsibility = data.get("responsibility") or ""
        if responsibility not in Responsibility.values:
            raise ValidationFailed(_("Responsibility is ours, courier, customer or staff."))
        updates: dict[str, Any] = {
            "cause": text_field(data.get("cause") or data.get("note") or "", _("Cause"), required=False),
            "responsibility": responsibility,
        }
        if responsibility == Responsibility.STAFF:
            if not data.get("staff"):
                raise ValidationFailed(_("Name the staff member responsible."))
            updates["about_staff"] = _staff_member(data["staff"])
        return updates
    if event == "propose":
        return {
            "plan": text_field(data.get("plan"), _("The proposal")),
            "compensation": _compensation(data.get("compensation")),
            "approval_note": "",
        }
    if event in ("approve", "send_back"):
        note = text_field(data.get("note"), _("The reason"), required=event == "send_back")
        if event == "approve":
            return {"approval_note": note, "approved_by": actor, "approved_at": now}
        return {"approval_note": note}
    if event == "answer":
        return {"answer": text_field(data.get("answer") or complaint.plan, _("The answer")), "accept_token": _token()}
    if event == "customer_agrees":
        return {"agreement": Agreement.SIGNED_FORM}  # the file is checked in the action
    if event == "customer_declines":
        return {"declined_at": now, "decline_reason": text_field(data.get("note"), _("Reason"), required=False)}
    if event == "implement":
        return {}
    if event == "track":
        text_field(data.get("note"), _("The follow-up"), required=complaint.status == S.TRACKING)
        return {}
    if event == "close":
        return {}
    if event == "reopen":
        return {
            "reopened_count": complaint.reopened_count + 1,
            "closed_at": None,
            "answered_at": None,
            "agreed_at": None,
            "agreement": "",
            "accept_token": "",
        }
    return {}


def _token() -> str:
    return secrets.token_urlsafe(24)


NOTE_OF_EVENT = {  # the kind of the note an event's comment is kept as (at most 12 characters)
    "contact": "contact",
    "analyse": "analysis",
    "propose": "proposal",
    "send_back": "approval",
    "approve": "approval",
    "answer": "answer",
    "customer_agrees": "customer",
    "customer_declines": "customer",
    "implement": "tasks",
    "track": "tracking",
    "reopen": "reopen",
    "close": "tracking",
}


def do_fire(
    complaint: Complaint,
    event: str,
    *,
    actor: Any,
    now: datetime,
    data: dict[str, Any] | None = None,
    upload: UploadedFile | None = None,
) -> Complaint:
    data = dict(data or {})
    complaint_machine.target(complaint.status, event)  # 409 before any 400 about the fields
    updates = _prepare(complaint, event, data, actor, now)
    if event == "customer_agrees" and upload is not None:
        check_upload(upload)
    if event == "implement":
        tasks = _clean_tasks(data.get("tasks"))
    with transaction.atomic():
        complaint_machine.transition(
            complaint,
            event,
            actor=actor,
            now=now,
            updates=updates,
            data={k: v for k, v in data.items() if isinstance(v, str | int | float | bool)} or None,
        )
        complaint.refresh_from_db()
        _note(complaint, NOTE_OF_EVENT.get(event, "note"), str(data.get("note") or data.get("cause") or ""), actor, now)
        if event == "contact":
            deadlines.stop(complaint, "contact_by", now=now)
        elif event == "approve":
            complaint.compensation = _offer_compensation(complaint, actor, now)
            complaint.save(update_fields=["compensation"])
        elif event == "answer":
            deadlines.stop(complaint, "answer_by", now=now)
            answer_customer(complaint, now, actor)
        elif event == "customer_agrees" and upload is not None:
            complaint.agreement_file.save(upload.name or "agreement", upload, save=False)
            complaint.save(update_fields=["agreement_file"])
        elif event == "implement":
            for department, description, owner, due_at in tasks:
                task = ComplaintTask.objects.create(
                    complaint=complaint,
                    department=department,
                    description=description,
                    owner=owner,
                    due_at=due_at,
                    created_at=now,
                )
                _arm_task(task, now=now)
                notify_staff(
                    owner,
                    _("Complaint #%(id)s: a task for you — %(task)s") % {"id": complaint.pk, "task": description},
                    complaint,
                    now,
                )
        elif event == "close":
            deadlines.stop(complaint, now=now)
        elif event == "reopen":
            _arm(
                complaint,
                "answer_by",
                end_of_day(now),
                now=now,
                text=_("Complaint #%(id)s (reopened): answer the customer today") % {"id": complaint.pk},
            )
        elif event == "propose":
            notify_supervisors(complaint, now)
        publish(complaint.stream_key, "complaint", "status", _payload(complaint), now=now)
    return complaint


def _clean_tasks(raw: Any) -> list[tuple[str, str, User, datetime]]:
    if not isinstance(raw, list) or not raw:
        raise ValidationFailed(_("Give at least one task: department, task, owner and due date."))
    tasks = []
    for item in raw[:20]:
        if not isinstance(item, dict):
            raise ValidationFailed(_("Each task is an object with department, task, owner and due."))
        department = text_field(item.get("department"), _("Department"), limit=60)
        description = text_field(item.get("task"), _("Task"), limit=300)
        owner = _staff_member(item.get("owner"))
        due = item.get("due")
        if isinstance(due, str):
            try:
                due = datetime.fromisoformat(due)
            except ValueError:
                raise ValidationFailed(_("The due date must be an ISO-8601 time.")) from None
        if not isinstance(due, datetime):
            raise ValidationFailed(_("Each task needs a due date."))
        if due.tzinfo is None:
            due = due.replace(tzinfo=ZoneInfo(settings.TIME_ZONE))
        tasks.append((department, description, owner, due))
    return tasks


def check_fire(
    complaint: Complaint,
    event: str,
    *,
    actor: Any,
    data: dict[str, Any] | None = None,
    upload: UploadedFile | None = None,
) -> Complaint:
    """Fire a step of the procedure: the role's permission (403), the state (409), the fields (400)."""
    if event == "verify_staff_fault":
        check_verify_staff_fault(complaint, actor=actor)
        return complaint
    perm = EVENT_PERMISSION.get(event)
    if perm is None:
        raise ValidationFailed(_("Unknown event “%(event)s”.") % {"event": event})
    require(actor, perm)
    return do_fire(complaint, event, actor=actor, now=clock.now(), data=data, upload=upload)


@action("complaints.handle_complaint")
def check_add_note(complaint: Complaint, text: str, *, actor: Any) -> ComplaintNote:
    clean = text_field(text, _("The note"))
    now = clock.now()
    note = ComplaintNote.objects.create(complaint=complaint, kind="note", text=clean, author=actor, created_at=now)
    record_audit(complaint, "complaint.noted", actor=actor, now=now)
    return note


@action("complaints.handle_complaint")
def check_finish_task(task: ComplaintTask, *, actor: Any) -> ComplaintTask:
    if task.done_at is not None:
        raise Conflict(_("This task is already done."))
    now = clock.now()
    with transaction.atomic():
        task.done_at = now
        task.save(update_fields=["done_at"])
        deadlines.stop(task.complaint, f"task_{task.pk}", now=now)
        record_audit(task.complaint, "complaint.task_done", actor=actor, now=now, data={"task": task.pk})
    return task


def do_customer_responds(complaint: Complaint, *, accept: bool, reason: str = "", now: datetime) -> Complaint:
    """The public page: the customer accepts (the agreement is recorded) or declines (back to
    the proposal).  The signed token in the link is the customer's signature."""
    with transaction.atomic():
        locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
        if locked.status != S.ANSWERED:
            raise Conflict(_("This proposal is no longer waiting for your answer."))
        if accept:
            complaint_machine.transition(
                locked,
                "customer_agrees",
                actor=None,
                now=now,
                updates={"agreement": Agreement.LINK},
                data={"via": "link"},
            )
        else:
            complaint_machine.transition(
                locked,
                "customer_declines",
                actor=None,
                now=now,
                updates={"declined_at": now, "decline_reason": reason[:2000], "accept_token": ""},
                data={"via": "link"},
            )
            _note(locked, "customer", reason[:2000], None, now)
        notify_staff(
            locked.handler or locked.received_by,
            (
                _("Complaint #%(id)s: the customer accepted the proposal")
                if accept
                else _("Complaint #%(id)s: the customer declined the proposal")
            )
            % {"id": locked.pk},
            locked,
            now,
        )
        publish(locked.stream_key, "complaint", "status", _payload(locked), now=now)
    return locked


@action("complaints.handle_complaint")
def check_claim_complaint(complaint: Complaint, *, actor: Any) -> Complaint:
    """领取: an open complaint nobody handles yet becomes the actor's (issue 15: an unassigned complaint
    gave an agent no action). Audited ``complaint.claimed``; someone else's complaint is a 409."""
    now = clock.now()
    with transaction.atomic():
        locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
        if locked.status == ComplaintStatus.CLOSED:
            raise Conflict(_("The complaint is closed."))
        if locked.handler_id is not None and locked.handler_id != actor.pk:
            raise Conflict(_("%(name)s already handles this complaint.") % {"name": locked.handler})
        if locked.handler_id is None:
            locked.handler = actor
            locked.updated_at = now
            locked.save(update_fields=["handler", "updated_at"])
            record_audit(locked, "complaint.claimed", actor=actor, now=now, data={"handler": actor.pk})
            publish(locked.stream_key, "complaint", "assigned", _payload(locked), now=now)
    return locked
