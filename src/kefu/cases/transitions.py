"""One state machine per case kind, mirroring the marketplace's refund rules (R21, R22).

docs/state-machines.md renders these tables (``StateMachine.as_markdown()``).  Events the
platform fires when a deadline passes (actor None) are in ``SYSTEM_EVENTS``.
"""

from __future__ import annotations

from kefu.cases.choices import CaseKind
from kefu.cases.choices import CaseStatus as S
from kefu.cases.choices import CompensationStatus as C
from kefu.cases.models import Case, Compensation
from kefu.core.fsm import StateMachine

# The seller's answer, shared by every kind: agree, refuse, or say nothing for N days.
_ANSWER: dict[tuple[str, str], str] = {
    (S.REQUESTED, "refuse"): S.REFUSED,
    (S.REQUESTED, "close"): S.CLOSED,
    (S.REFUSED, "close"): S.CLOSED,
}
# The buyer's return after agreement (kinds that need the goods back).
_RETURN: dict[tuple[str, str], str] = {
    (S.REQUESTED, "agree"): S.AGREED,
    (S.REQUESTED, "auto_agree"): S.AGREED,
    (S.AGREED, "buyer_shipped"): S.RETURNING,
    (S.AGREED, "buyer_ship_timeout"): S.CLOSED,
    (S.AGREED, "close"): S.CLOSED,
}
# Paying the refund: an agent asks, finance pays or sends it back.
_PAYMENT: dict[tuple[str, str], str] = {
    (S.TO_REFUND, "request_payment"): S.PAYMENT_REQUESTED,
    (S.PAYMENT_REQUESTED, "pay"): S.REFUNDED,
    (S.PAYMENT_REQUESTED, "send_back"): S.TO_REFUND,
}

REFUND_ONLY: dict[tuple[str, str], str] = {
    (S.REQUESTED, "agree"): S.TO_REFUND,
    (S.REQUESTED, "auto_agree"): S.REFUNDED,  # the platform refunds the buyer itself
    **_ANSWER,
    **_PAYMENT,
}
RETURN_REFUND: dict[tuple[str, str], str] = {
    **_RETURN,
    **_ANSWER,
    (S.RETURNING, "confirm_receipt"): S.TO_REFUND,
    (S.RETURNING, "auto_refund"): S.REFUNDED,
    **_PAYMENT,
}
EXCHANGE: dict[tuple[str, str], str] = {
    **_RETURN,
    **_ANSWER,
    (S.RETURNING, "confirm_receipt"): S.RECEIVED,
    (S.RETURNING, "auto_refund"): S.REFUNDED,
    (S.RECEIVED, "ship_replacement"): S.REPLACEMENT_SHIPPED,
    (S.REPLACEMENT_SHIPPED, "complete"): S.COMPLETED,
}
REPAIR: dict[tuple[str, str], str] = {
    **_RETURN,
    **_ANSWER,
    (S.RETURNING, "confirm_receipt"): S.RECEIVED,
    (S.RECEIVED, "start_repair"): S.REPAIRING,
    (S.REPAIRING, "ship_repaired"): S.REPAIRED_SHIPPED,
    (S.REPAIRED_SHIPPED, "complete"): S.COMPLETED,
}

_STAMPS: dict[str, str] = {
    S.AGREED: "agreed_at",
    S.RETURNING: "returned_at",
    S.RECEIVED: "received_at",
    S.REFUNDED: "finished_at",
    S.COMPLETED: "finished_at",
    S.CLOSED: "finished_at",
    S.REFUSED: "finished_at",
}

MACHINES: dict[str, StateMachine[Case]] = {
    kind: StateMachine(name="case", model=Case, transitions=table, stamps=_STAMPS)
    for kind, table in (
        (CaseKind.REFUND_ONLY, REFUND_ONLY),
        (CaseKind.RETURN_REFUND, RETURN_REFUND),
        (CaseKind.EXCHANGE, EXCHANGE),
        (CaseKind.REPAIR, REPAIR),
    )
}

# Fired only by the deadline handler (the platform), never by a person.
SYSTEM_EVENTS = frozenset({"auto_agree", "buyer_ship_timeout", "auto_refund"})

# The permission a person needs to fire each event.
EVENT_PERMISSION: dict[str, str] = {
    "agree": "cases.decide_case",
    "refuse": "cases.decide_case",
    "close": "cases.decide_case",
    "buyer_shipped": "cases.record_return",
    "confirm_receipt": "cases.handle_case",
    "ship_replacement": "cases.handle_case",
    "start_repair": "cases.handle_case",
    "ship_repaired": "cases.handle_case",
    "complete": "cases.handle_case",
    "request_payment": "cases.request_payment",
    "pay": "cases.pay_refund",
    "send_back": "cases.pay_refund",
}

# Every event any machine knows, in a stable order (API validation, docs).
ALL_EVENTS: list[str] = list(dict.fromkeys(e for m in MACHINES.values() for e in m.events))


def machine_of(case: Case) -> StateMachine[Case]:
    return MACHINES[case.kind]


# A compensation above the limit waits for a supervisor (R26: compensation needs authority).
COMPENSATION: dict[tuple[str, str], str] = {
    (C.PENDING_APPROVAL, "approve"): C.APPROVED,
    (C.PENDING_APPROVAL, "reject"): C.REJECTED,
}
compensation_machine: StateMachine[Compensation] = StateMachine(
    name="compensation", model=Compensation, transitions=COMPENSATION
)
