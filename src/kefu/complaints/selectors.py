"""Reads of complaints: lists, the API's shape, the staff record."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet

from kefu.complaints.actions import counted_faults, level_of
from kefu.complaints.choices import ComplaintStatus
from kefu.complaints.models import Complaint, StaffFault
from kefu.core.actions import has_perm
from kefu.sla import deadlines


def complaint_list(user: Any, view: str = "open") -> QuerySet[Complaint]:
    rows = Complaint.objects.select_related("customer", "handler", "received_by")
    if view == "mine":
        rows = rows.filter(Q(handler=user) | Q(received_by=user, handler__isnull=True) | Q(tasks__owner=user))
    elif view == "approval":
        rows = rows.filter(status=ComplaintStatus.PROPOSED)
    elif view == "closed":
        rows = rows.filter(status=ComplaintStatus.CLOSED)
    elif view != "all":
        rows = rows.exclude(status=ComplaintStatus.CLOSED)
    return rows.distinct()


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def deadlines_of(complaint: Complaint) -> dict[str, str | None]:
    """The running deadlines, plus ``answer_by`` (the same-day answer, R9) even once met."""
    running: dict[str, str | None] = {name: due.isoformat() for name, due in deadlines.running(complaint).items()}
    if "answer_by" not in running:
        from kefu.sla.models import Deadline

        row = Deadline.objects.filter(
            kind="complaints.complaint", object_id=str(complaint.pk), name="answer_by"
        ).first()
        running["answer_by"] = _iso(row.due_at) if row else None
    return running


def complaint_out(c: Complaint) -> dict[str, Any]:
    return {
        "id": c.pk,
        "status": c.status,
        "customer": {"id": c.customer_id, "name": c.customer.name},
        "channel": c.channel,
        "summary": c.summary,
        "wants": c.wants,
        "severity": c.severity,
        "order": c.order_id,
        "conversation": c.conversation_id,
        "ticket": c.ticket_id,
        "received_by": c.received_by.get_username(),
        "received_at": c.received_at.isoformat(),
        "handler": c.handler.username if c.handler is not None else None,
        "level": c.level,
        "responsibility": c.responsibility or None,
        "about_staff": c.about_staff.username if c.about_staff is not None else None,
        "cause": c.cause,
        "plan": c.plan,
        "compensation": c.compensation or None,
        "answer": c.answer,
        "agreement": c.agreement or None,
        "staff_fault_verified": StaffFault.objects.filter(complaint=c).exists(),
        "tasks": [
            {
                "id": t.pk,
                "department": t.department,
                "task": t.description,
                "owner": t.owner.get_username(),
                "due": t.due_at.isoformat(),
                "done_at": _iso(t.done_at),
            }
            for t in c.tasks.select_related("owner")
        ],
        "deadlines": deadlines_of(c),
        "closed_at": _iso(c.closed_at),
    }


def staff_record(staff: Any, now: datetime) -> list[dict[str, Any]]:
    """R30: the verified faults of the rolling period, oldest first, with their level."""
    return [
        {
            "complaint": entry.complaint_id,
            "verified_at": entry.verified_at.isoformat(),
            "level": level_of(position),
            "appeal": entry.appeal_status or None,
            "decision": entry.decision_note or None,
            "entry": entry.pk,
        }
        for position, entry in enumerate(counted_faults(staff, now))
    ]


def may_view(user: Any) -> bool:
    return has_perm(user, "complaints.view_complaint")
