"""Complaints (R27–R31): the register form, seed 004's procedure, implementation tasks and the
staff record (R30)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.complaints.choices import (
    Agreement,
    AppealStatus,
    ComplaintChannel,
    ComplaintStatus,
    Level,
    Responsibility,
    Severity,
)


def agreement_path(instance: Complaint, filename: str) -> str:
    return f"complaints/{instance.pk}/agreement/{filename}"


class Complaint(models.Model):
    # The register form (投诉登记表): who complains, how, about what, what they want.
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="complaints"
    )
    channel = models.CharField(_("channel"), max_length=12, choices=ComplaintChannel.choices)
    order = models.ForeignKey(
        "aftersales.Order",
        verbose_name=_("order"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaints",
    )
    summary = models.TextField(_("what happened"))
    wants = models.TextField(_("what the customer wants"), blank=True)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.NORMAL)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("received by"), on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField(_("received at"))
    # Where it came from: its history stays linked.
    conversation = models.ForeignKey(
        "conversations.Conversation",
        verbose_name=_("conversation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaints",
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name=_("ticket"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The procedure.
    status = models.CharField(
        _("status"), max_length=12, choices=ComplaintStatus.choices, default=ComplaintStatus.REGISTERED
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="handled_complaints",
    )
    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices, default=Level.HANDLER)
    contact_note = models.TextField(_("contact: the details, restated"), blank=True)
    contacted_at = models.DateTimeField(null=True, blank=True)
    cause = models.TextField(_("cause"), blank=True)
    responsibility = models.CharField(_("responsibility"), max_length=10, choices=Responsibility.choices, blank=True)
    about_staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member concerned"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaints_about",
    )
    plan = models.TextField(_("proposal"), blank=True)
    compensation = models.JSONField(_("compensation"), default=dict, blank=True)  # {kind, amount, id, status}
    approval_note = models.TextField(_("approval note"), blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField(_("answer to the customer"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    # The customer's confirmation: a signed form, or an accept click on the signed link.
    accept_token = models.CharField(max_length=64, blank=True, db_index=True)
    agreement = models.CharField(_("agreement"), max_length=12, choices=Agreement.choices, blank=True)
    agreement_file = models.FileField(upload_to=agreement_path, max_length=300, blank=True)
    agreed_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    reopened_count = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["status", "handler"])]
        permissions = [
            ("handle_complaint", _("Can contact, analyse, propose, answer, implement and track complaints")),
            ("approve_complaint", _("Can approve or send back complaint proposals and verify staff faults")),
            ("view_staff_records", _("Can see every staff member's complaint record")),
            ("decide_staff_records", _("Can decide on staff records and their appeals")),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.summary[:30]}"

    @property
    def stream_key(self) -> str:
        return f"complaint:{self.pk}"


class ComplaintNote(models.Model):
    """A step's record: contact details, analysis, a tracking follow-up, an internal remark."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField(max_length=12)
    text = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:40]


class ComplaintTask(models.Model):
    """An implementation task for a department concerned (seed 004 step 6)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="tasks")
    department = models.CharField(_("department"), max_length=60)
    description = models.CharField(_("task"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="complaint_tasks"
    )
    due_at = models.DateTimeField(_("due at"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("implementation task")
        verbose_name_plural = _("implementation tasks")
        ordering = ["due_at", "id"]

    def __str__(self) -> str:
        return f"{self.department}: {self.description[:30]}"


class StaffFault(models.Model):
    """A complaint verified by a supervisor as a staff member's fault (R30)."""

    complaint = models.OneToOneField(Complaint, on_delete=models.CASCADE, related_name="staff_fault")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_faults")
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    verified_at = models.DateTimeField(_("verified at"))
    level_at_verification = models.CharField(max_length=24)
    appeal_status = models.CharField(max_length=10, choices=AppealStatus.choices, blank=True, default="")
    appeal_text = models.TextField(blank=True)
    appealed_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("administrator's decision"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("staff record entry")
        verbose_name_plural = _("staff record entries")
        ordering = ["verified_at", "id"]
        indexes = [models.Index(fields=["staff", "verified_at"])]

    def __str__(self) -> str:
        return f"{self.staff} #{self.complaint_id}"


class ComplaintSettings(models.Model):
    """The numbers an administrator tunes (one row, pk=1)."""

    contact_minutes = models.PositiveSmallIntegerField(
        _("Contact the customer within (minutes)"),
        default=30,
        help_text=_("Contact the customer at once: the first contact is due this many minutes after registration."),
    )
    record_period_months = models.PositiveSmallIntegerField(_("Staff record: rolling period (months)"), default=12)

    class Meta:
        verbose_name = _("complaint settings")
        verbose_name_plural = _("complaint settings")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @classmethod
    def load(cls) -> ComplaintSettings:
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj
