"""Every write of the complaints app:

* :mod:`.procedure` — register a complaint (form, conversation, ticket), the steps of the
  procedure, the customer's agreement, implementation tasks, escalation and its deadlines, claiming;
* :mod:`.staff_record` — the staff record (R30): verified faults, appeals and decisions;
* :mod:`.notices` — what the procedure tells staff and the customer;
* :mod:`.fields` — the free-text fields' checks.

They import one way (fields, notices → staff_record → procedure).  Callers import from here.
"""

from kefu.complaints.actions.procedure import (
    COMPENSATION_KINDS,
    NOTE_OF_EVENT,
    S,
    _arm,
    check_add_note,
    check_claim_complaint,
    check_complaint_from_conversation,
    check_complaint_from_ticket,
    check_finish_task,
    check_fire,
    check_register_complaint,
    clean_register,
    complaint_defaults_from_conversation,
    do_customer_responds,
    do_escalate,
    do_fire,
    do_register_complaint,
    end_of_day,
    escalation_target,
    on_due,
)
from kefu.complaints.actions.staff_record import (
    LEVELS,
    can_see_record,
    check_appeal_fault,
    check_decide_fault,
    check_verify_staff_fault,
    counted_faults,
    level_of,
    months_before,
)

__all__ = [
    "COMPENSATION_KINDS",
    "LEVELS",
    "NOTE_OF_EVENT",
    "S",
    "_arm",
    "can_see_record",
    "check_add_note",
    "check_appeal_fault",
    "check_claim_complaint",
    "check_complaint_from_conversation",
    "check_complaint_from_ticket",
    "check_decide_fault",
    "check_finish_task",
    "check_fire",
    "check_register_complaint",
    "check_verify_staff_fault",
    "clean_register",
    "complaint_defaults_from_conversation",
    "counted_faults",
    "do_customer_responds",
    "do_escalate",
    "do_fire",
    "do_register_complaint",
    "end_of_day",
    "escalation_target",
    "level_of",
    "months_before",
    "on_due",
]
