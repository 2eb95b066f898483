"""Every state machine: each allowed transition (new state + audit row) and each forbidden
one (refused, nothing written), for every (state, event) pair of its table."""

from __future__ import annotations

from itertools import product

import pytest

from kefu.conversations.transitions import conversation_machine
from kefu.core import clock
from kefu.core.errors import InvalidTransition
from kefu.core.events import audit_trail
from kefu.core.fsm import StateMachine
from kefu.tickets.transitions import ticket_machine
from tests.factories import ConversationFactory, TicketFactory, UserFactory

MACHINES: dict[str, tuple[StateMachine, type]] = {
    "conversation": (conversation_machine, ConversationFactory),
    "ticket": (ticket_machine, TicketFactory),
}


def _pairs(name: str) -> list[tuple[str, str, str]]:
    machine = MACHINES[name][0]
    return [(name, s, e) for s, e in product(machine.states, machine.events)]


ALL_PAIRS = _pairs("conversation") + _pairs("ticket")


@pytest.mark.django_db
@pytest.mark.parametrize(("machine_name", "state", "event"), ALL_PAIRS, ids=lambda v: str(v))
def test_each_state_and_event(machine_name, state, event):
    machine, factory = MACHINES[machine_name]
    actor = UserFactory(role="supervisor")
    # Given a record in `state`,
    obj = factory(status=state)
    before = audit_trail(obj).count()
    now = clock.now()
    if machine.can(state, event):
        # when an allowed event fires, then it moves to the table's target and is audited.
        machine.transition(obj, event, actor=actor, now=now, data={"why": "test"})
        obj.refresh_from_db()
        assert obj.status == machine.transitions[(state, event)]
        rows = list(audit_trail(obj))
        assert len(rows) == before + 1
        row = rows[-1]
        assert (row.verb, row.from_state, row.to_state) == (f"{machine_name}.{event}", state, obj.status)
        assert row.actor == actor
        assert row.data == {"why": "test"}
        assert row.created_at == now
    else:
        # when a forbidden event fires, then it is refused and nothing is written.
        with pytest.raises(InvalidTransition) as info:
            machine.transition(obj, event, actor=actor, now=now)
        assert info.value.details["allowed"] == machine.allowed_events(state)
        obj.refresh_from_db()
        assert obj.status == state
        assert audit_trail(obj).count() == before


@pytest.mark.django_db
def test_entering_resolved_stamps_the_time():
    # Given an open ticket, when it is resolved, then resolved_at is the transition's time.
    ticket = TicketFactory(status="open")
    now = clock.now()
    ticket_machine.transition(ticket, "resolve", actor=None, now=now)
    ticket.refresh_from_db()
    assert ticket.resolved_at == now


@pytest.mark.django_db
def test_transition_is_rolled_back_with_its_audit_row_when_the_caller_fails():
    from django.db import transaction

    # Given an open conversation, when a transition runs inside a transaction that fails,
    conversation = ConversationFactory(status="open")
    with pytest.raises(RuntimeError), transaction.atomic():
        conversation_machine.transition(conversation, "resolve", actor=None, now=clock.now())
        raise RuntimeError("crash mid-write")
    # then neither the state nor the audit row was written.
    conversation.refresh_from_db()
    assert conversation.status == "open"
    assert audit_trail(conversation).count() == 0


def test_tables_have_no_unreachable_states():
    for machine, _factory in MACHINES.values():
        targets = set(machine.transitions.values())
        sources = {s for s, _e in machine.transitions}
        initial = machine.model._meta.get_field("status").default
        assert set(machine.states) <= targets | {initial}
        # every state but the final ones can be left
        finals = set(machine.states) - sources
        assert finals <= {"closed"}
