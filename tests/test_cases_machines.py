"""The case state machines (one per kind) and the compensation machine: every (state, event)
pair of each table, allowed (new state, stamp, audit row) or forbidden (refused, nothing written);
and docs/state-machines.md carries each table as rendered."""

from __future__ import annotations

from itertools import product
from pathlib import Path

import pytest

from kefu.cases.transitions import MACHINES, compensation_machine
from kefu.core import clock
from kefu.core.errors import InvalidTransition
from kefu.core.events import audit_trail
from tests.factories import UserFactory
from tests.factories_cases import CaseFactory, CompensationFactory

ROOT = Path(__file__).resolve().parent.parent

PAIRS = [
    (kind, state, event)
    for kind, machine in MACHINES.items()
    for state, event in product(machine.states, machine.events)
]


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "state", "event"), PAIRS, ids=lambda v: str(v))
def test_each_kind_state_and_event(kind, state, event):
    machine = MACHINES[kind]
    actor = UserFactory(role="supervisor")
    # Given a case of `kind` in `state`,
    case = CaseFactory(kind=kind, status=state)
    now = clock.now()
    if machine.can(state, event):
        # when an allowed event fires, then it moves to the table's target, audited as case.<event>,
        machine.transition(case, event, actor=actor, now=now)
        case.refresh_from_db()
        assert case.status == machine.transitions[(state, event)]
        row = list(audit_trail(case))[-1]
        assert (row.verb, row.from_state, row.to_state) == (f"case.{event}", state, case.status)
        # and entering a state that has a stamp stamps it.
        stamp = machine.stamps.get(case.status)
        if stamp:
            assert getattr(case, stamp) == now
    else:
        # when a forbidden event fires, then it is refused and nothing is written.
        with pytest.raises(InvalidTransition):
            machine.transition(case, event, actor=actor, now=now)
        case.refresh_from_db()
        assert case.status == state
        assert audit_trail(case).count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("state", "event"), list(product(compensation_machine.states, compensation_machine.events)), ids=str
)
def test_compensation_machine(state, event):
    comp = CompensationFactory(status=state)
    actor = UserFactory(role="supervisor")
    if compensation_machine.can(state, event):
        compensation_machine.transition(comp, event, actor=actor, now=clock.now())
        comp.refresh_from_db()
        assert comp.status == compensation_machine.transitions[(state, event)]
    else:
        with pytest.raises(InvalidTransition):
            compensation_machine.transition(comp, event, actor=actor, now=clock.now())


def test_every_kind_shares_the_answer_and_differs_after_it():
    # Given the four tables, then each starts with the seller's answer (agree / refuse),
    for machine in MACHINES.values():
        assert {"agree", "refuse", "auto_agree"} <= set(machine.allowed_events("requested"))
    # only refunds are paid by finance, only exchanges ship a replacement, only repairs repair,
    assert "pay" in MACHINES["refund_only"].events
    assert "pay" in MACHINES["return_refund"].events
    assert "pay" not in MACHINES["exchange"].events
    assert "pay" not in MACHINES["repair"].events
    assert "ship_replacement" in MACHINES["exchange"].events
    assert "start_repair" in MACHINES["repair"].events
    # and the platform never refunds a repair automatically.
    assert "auto_refund" not in MACHINES["repair"].events


@pytest.mark.parametrize("kind", list(MACHINES))
def test_docs_carry_each_table(kind):
    # Given the table as the code renders it, when the docs are read, then both pages carry it.
    table = MACHINES[kind].as_markdown()
    for page in ("docs/state-machines.md", "docs/cases.md"):
        text = (ROOT / page).read_text(encoding="utf-8")
        assert table in text, f"{page} is out of date for the {kind} case; paste:\n{table}"
    assert compensation_machine.as_markdown() in (ROOT / "docs/cases.md").read_text(encoding="utf-8")
