"""What the complaint procedure tells people: staff notifications (with the complaint's link and
the inbox doorbell), the supervisors asked to approve a proposal, the administrators told of a
staff-record decision, and the answer sent to the customer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from kefu.accounts.choices import Role
from kefu.accounts.models import User
from kefu.complaints.models import Complaint
from kefu.core.events import notify
from kefu.core.models import Notification
from kefu.core.notifications import StaffNote, do_notify_staff


def complaint_url(complaint: Complaint) -> str:
    return reverse("web:complaint", args=[complaint.pk])


def notify_staff(user: Any, text: str, complaint: Complaint | None, now: datetime, url: str = "") -> None:
    if user is None:
        return
    link = url or (complaint_url(complaint) if complaint is not None else "")
    do_notify_staff([StaffNote(user.pk, Notification.Kind.AUTOMATION, text, url=link)], now=now)
    notify("inbox", "notification", "created", {"user": user.pk}, now=now)


def notify_supervisors(complaint: Complaint, now: datetime) -> None:
    leader = complaint.team.leader if complaint.team is not None and complaint.team.leader_id else None
    people = (
        [leader]
        if leader is not None
        else list(User.objects.filter(is_active=True, groups__name=Role.SUPERVISOR).order_by("id")[:5])
    )
    for person in people:
        notify_staff(
            person, _("Complaint #%(id)s: a proposal waits for your approval") % {"id": complaint.pk}, complaint, now
        )


def admins() -> list[User]:
    return list(User.objects.filter(is_active=True, is_superuser=True).order_by("id")[:5]) or list(
        User.objects.filter(is_active=True, groups__name=Role.ADMIN).order_by("id")[:5]
    )


def answer_customer(complaint: Complaint, now: datetime, actor: Any) -> None:
    """Tell the customer the answer and the link to accept or decline it (contract E)."""
    from kefu.aftersales.notify import notify_customer

    link = reverse("web:complaint-public", args=[complaint.accept_token])
    text = _("About your complaint #%(id)s: %(answer)s\nPlease accept or decline the proposal here: %(link)s") % {
        "id": complaint.pk,
        "answer": complaint.answer,
        "link": link,
    }
    notify_customer(
        complaint.customer, text, order=complaint.order, conversation=complaint.conversation, now=now, actor=actor
    )
