from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "kefu.complaints"
    label = "complaints"
    verbose_name = _("Complaints")

    def ready(self) -> None:
        from kefu.complaints.actions import on_due
        from kefu.sla import deadlines

        deadlines.register("complaints.complaint", on_due=on_due)
        _register_audit_labels()


def _register_audit_labels() -> None:
    """The complaint history reads in the UI language, never as ``complaint.analyse → analysed``."""
    from django.utils.translation import gettext_lazy as _

    from kefu.complaints.choices import ComplaintStatus
    from kefu.core import audit_labels

    audit_labels.register(
        verbs={
            "complaint.registered": _("Registered"),
            "complaint.claimed": _("Claimed"),
            "complaint.contact": _("Customer contacted"),
            "complaint.analyse": _("Analysed"),
            "complaint.propose": _("Proposal made"),
            "complaint.approve": _("Proposal approved"),
            "complaint.send_back": _("Send back"),
            "complaint.answer": _("Answered to the customer"),
            "complaint.customer_agrees": _("Customer agreed"),
            "complaint.customer_declines": _("Customer declined"),
            "complaint.implement": _("Implementing"),
            "complaint.track": _("Tracking"),
            "complaint.close": _("Closed"),
            "complaint.reopen": _("Reopened"),
            "complaint.escalated": _("Escalated"),
            "complaint.noted": _("Note added"),
            "complaint.task_done": _("Task done"),
            "complaint.verify_staff_fault": _("Staff fault verified"),
            "complaint.staff_fault_decided": _("Staff fault decided"),
            "complaint.staff_fault_appealed": _("Staff fault appealed"),
        },
        states={"complaint": ComplaintStatus},
    )
