"""The staff record (R30): a verified fault of a staff member, counted over a rolling window into
warning, penalty and recommended dismissal; the staff member's appeal and the decision on it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from kefu.complaints.actions.fields import text_field
from kefu.complaints.actions.notices import admins, notify_staff
from kefu.complaints.choices import (
    AppealStatus,
    Responsibility,
)
from kefu.complaints.models import Complaint, ComplaintSettings, StaffFault
from kefu.core import clock
from kefu.core.actions import action, has_perm
from kefu.core.errors import Conflict, PermissionDenied, ValidationFailed
from kefu.core.events import record_audit

# --- staff accountability (R30) ----------------------------------------------------------------


def months_before(moment: datetime, months: int) -> datetime:
    year, month = divmod(moment.month - 1 - months, 12)
    target_year, target_month = moment.year + year, month + 1
    day = min(
        moment.day,
        [
            31,
            29 if target_year % 4 == 0 and (target_year % 100 or target_year % 400 == 0) else 28,
            31,
            30,
            31,
            30,
            31,
            31,
            30,
            31,
            30,
            31,
        ][target_month - 1],
    )
    return moment.replace(year=target_year, month=target_month, day=day)


def counted_faults(staff: Any, now: datetime) -> list[StaffFault]:
    """The verified faults of the rolling period, oldest first; withdrawn ones (an upheld appeal)
    do not count."""
    since = months_before(now, ComplaintSettings.load().record_period_months)
    return list(
        StaffFault.objects.filter(staff=staff, verified_at__gt=since, verified_at__lte=now)
        .exclude(appeal_status=AppealStatus.UPHELD)
        .select_related("complaint")
        .order_by("verified_at", "id")
    )


LEVELS = ("warning", "penalty", "dismissal_recommended")


def level_of(position: int) -> str:
    return LEVELS[min(position, len(LEVELS) - 1)]


@action("complaints.approve_complaint")
def check_verify_staff_fault(complaint: Complaint, *, actor: Any) -> StaffFault:
    """A supervisor confirms the complaint was the named staff member's fault (once)."""
    now = clock.now()
    with transaction.atomic():
        locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
        staff = locked.about_staff
        if locked.responsibility != Responsibility.STAFF or staff is None:
            raise Conflict(_("Only a complaint analysed as a staff member's fault can be verified."))
        if StaffFault.objects.filter(complaint=locked).exists():
            raise Conflict(_("This complaint's staff fault is already verified."))
        if locked.about_staff_id == getattr(actor, "pk", None):
            raise PermissionDenied(_("Nobody verifies a complaint about themselves."))
        level = level_of(len(counted_faults(staff, now)))
        entry = StaffFault.objects.create(
            complaint=locked, staff=staff, verified_by=actor, verified_at=now, level_at_verification=level
        )
        record_audit(
            locked, "complaint.verify_staff_fault", actor=actor, now=now, data={"staff": staff.username, "level": level}
        )
        record_url = reverse("web:staff-record", args=[staff.username])
        notify_staff(
            staff,
            _("A complaint about you was verified (#%(id)s); see your record.") % {"id": locked.pk},
            None,
            now,
            url=record_url,
        )
        if level == "dismissal_recommended":
            for admin in admins():
                notify_staff(
                    admin,
                    _("%(name)s has a third verified complaint: a dismissal is recommended. Your decision.")
                    % {"name": staff},
                    None,
                    now,
                    url=record_url,
                )
    complaint.refresh_from_db()
    return entry


def can_see_record(actor: Any, staff: Any) -> bool:
    return getattr(actor, "pk", None) == staff.pk or has_perm(actor, "complaints.view_staff_records")


@action("complaints.view_complaint")
def check_appeal_fault(entry: StaffFault, text: str, *, actor: Any) -> StaffFault:
    """The staff member appeals an entry of their own record to the administrator."""
    if entry.staff_id != actor.pk:
        raise PermissionDenied(_("Only the staff member may appeal their own record."))
    if entry.appeal_status:
        raise Conflict(_("This entry was already appealed."))
    clean = text_field(text, _("The appeal"), limit=2000)
    now = clock.now()
    with transaction.atomic():
        entry.appeal_status, entry.appeal_text, entry.appealed_at = AppealStatus.PENDING, clean, now
        entry.save(update_fields=["appeal_status", "appeal_text", "appealed_at"])
        record_audit(entry.complaint, "complaint.staff_fault_appealed", actor=actor, now=now)
        for admin in admins():
            notify_staff(
                admin,
                _("%(name)s appeals a complaint record entry (#%(id)s).") % {"name": actor, "id": entry.complaint_id},
                None,
                now,
                url=reverse("web:staff-record", args=[entry.staff.username]),
            )
    return entry


@action("complaints.decide_staff_records")
def check_decide_fault(entry: StaffFault, *, actor: Any, note: str, appeal: str = "") -> StaffFault:
    """The administrator's decision: on an appeal (upheld withdraws the entry) and on what the
    level calls for.  kefu never disables an account by itself."""
    if appeal and appeal not in (AppealStatus.UPHELD, AppealStatus.REJECTED):
        raise ValidationFailed(_("An appeal is upheld or rejected."))
    if appeal and entry.appeal_status != AppealStatus.PENDING:
        raise Conflict(_("There is no pending appeal on this entry."))
    clean = text_field(note, _("The decision"), limit=2000)
    now = clock.now()
    with transaction.atomic():
        entry.decision_note, entry.decided_by, entry.decided_at = clean, actor, now
        fields = ["decision_note", "decided_by", "decided_at"]
        if appeal:
            entry.appeal_status = appeal
            fields.append("appeal_status")
        entry.save(update_fields=fields)
        record_audit(
            entry.complaint,
            "complaint.staff_fault_decided",
            actor=actor,
            now=now,
            data={"appeal": appeal, "note": clean[:200]},
        )
        notify_staff(
            entry.staff,
            _("The administrator decided on your record entry (#%(id)s).") % {"id": entry.complaint_id},
            None,
            now,
            url=reverse("web:staff-record", args=[entry.staff.username]),
        )
    return entry
