"""The ticket (work order) state machine; docs/state-machines.md renders this table."""

from kefu.core.fsm import StateMachine
from kefu.tickets.choices import TicketStatus as S
from kefu.tickets.models import Ticket

TRANSITIONS: dict[tuple[str, str], str] = {
    (S.NEW, "open"): S.OPEN,
    (S.NEW, "wait_customer"): S.PENDING,
    (S.NEW, "hold"): S.ON_HOLD,
    (S.NEW, "resolve"): S.RESOLVED,
    (S.NEW, "cancel"): S.CANCELLED,
    (S.OPEN, "wait_customer"): S.PENDING,
    (S.OPEN, "hold"): S.ON_HOLD,
    (S.OPEN, "resolve"): S.RESOLVED,
    (S.OPEN, "cancel"): S.CANCELLED,
    (S.PENDING, "customer_replied"): S.OPEN,
    (S.PENDING, "resume"): S.OPEN,
    (S.PENDING, "resolve"): S.RESOLVED,
    (S.PENDING, "cancel"): S.CANCELLED,
    (S.ON_HOLD, "resume"): S.OPEN,
    (S.ON_HOLD, "resolve"): S.RESOLVED,
    (S.ON_HOLD, "cancel"): S.CANCELLED,
    (S.RESOLVED, "reopen"): S.OPEN,
    (S.RESOLVED, "close"): S.CLOSED,
    (S.CANCELLED, "reopen"): S.OPEN,
}

# Events only the system fires (a customer's reply arriving by mail or chat).
SYSTEM_EVENTS = frozenset({"customer_replied"})

# Which permission each event needs when an agent fires it.
EVENT_PERMISSION = {event: "tickets.change_ticket_status" for (_s, event) in TRANSITIONS if event not in SYSTEM_EVENTS}
EVENT_PERMISSION["cancel"] = "tickets.cancel_ticket"

ticket_machine: StateMachine[Ticket] = StateMachine(
    name="ticket",
    model=Ticket,
    transitions=TRANSITIONS,
    stamps={S.RESOLVED: "resolved_at", S.CLOSED: "closed_at"},
)
