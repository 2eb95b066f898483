"""The complaint procedure of seed 004 as a state machine; docs/state-machines.md renders it."""

from kefu.complaints.choices import ComplaintStatus as S
from kefu.complaints.models import Complaint
from kefu.core.fsm import StateMachine

TRANSITIONS: dict[tuple[str, str], str] = {
    (S.REGISTERED, "contact"): S.CONTACTED,
    (S.CONTACTED, "analyse"): S.ANALYSED,
    (S.ANALYSED, "analyse"): S.ANALYSED,
    (S.ANALYSED, "propose"): S.PROPOSED,
    (S.PROPOSED, "approve"): S.APPROVED,
    (S.PROPOSED, "send_back"): S.ANALYSED,
    (S.APPROVED, "answer"): S.ANSWERED,
    (S.ANSWERED, "customer_agrees"): S.AGREED,
    (S.ANSWERED, "customer_declines"): S.ANALYSED,
    (S.AGREED, "implement"): S.IMPLEMENTING,
    (S.IMPLEMENTING, "track"): S.TRACKING,
    (S.TRACKING, "track"): S.TRACKING,
    (S.TRACKING, "close"): S.CLOSED,
    (S.TRACKING, "reopen"): S.CONTACTED,
    (S.CLOSED, "reopen"): S.CONTACTED,
}

# The leader's decisions (R28 "report to the leader, get approval"); everything else is the
# after-sales handler's work.  ``verify_staff_fault`` is not an edge: it may be fired in any
# state after an ``analyse`` that named a staff member (see actions.check_verify_staff_fault).
SUPERVISOR_EVENTS = frozenset({"approve", "send_back"})
EVENT_PERMISSION = {
    event: ("complaints.approve_complaint" if event in SUPERVISOR_EVENTS else "complaints.handle_complaint")
    for (_s, event) in TRANSITIONS
}
EVENT_PERMISSION["verify_staff_fault"] = "complaints.approve_complaint"

complaint_machine: StateMachine[Complaint] = StateMachine(
    name="complaint",
    model=Complaint,
    transitions=TRANSITIONS,
    stamps={S.CONTACTED: "contacted_at", S.ANSWERED: "answered_at", S.AGREED: "agreed_at", S.CLOSED: "closed_at"},
)
