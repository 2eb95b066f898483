"""How audit rows read to people: verbs and states in the UI language.

``core`` knows no domain app: each app registers the labels of its own audit verbs and the
choices of its state machines from its ``AppConfig.ready()`` (:func:`register`).  The names of
the generic state-machine events (``"<machine>.<event>"``) are shared and stay here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

VERBS: dict[str, Promise] = {}

# machine name ("ticket", "conversation") → its TextChoices of states
STATES: dict[str, Any] = {}

# State-machine events ("<machine>.<event>")
EVENTS: dict[str, Promise] = {
    "activate": _("Customer replied"),
    "cancel": _("Cancelled"),
    "close": _("Closed"),
    "customer_replied": _("Customer replied"),
    "hold": _("Put on hold"),
    "open": _("Work started"),
    "pend": _("Marked pending"),
    "reopen": _("Reopened"),
    "resolve": _("Resolved"),
    "resume": _("Resumed"),
    "snooze": _("Snoozed"),
    "wait_customer": _("Waiting on customer"),
    "wake": _("Woke up"),
}


def register(*, verbs: Mapping[str, Promise] | None = None, states: Mapping[str, Any] | None = None) -> None:
    """An app's audit verbs (``"ticket.created"`` → its label) and its machines' states
    (``"ticket"`` → ``TicketStatus``).  Called from the app's ``ready()``."""
    VERBS.update(verbs or {})
    STATES.update(states or {})


def verb_label(verb: str) -> str:
    if verb in VERBS:
        return str(VERBS[verb])
    _machine, _dot, event = verb.partition(".")
    return str(EVENTS.get(event, verb))


def state_label(machine: str, state: str) -> str:
    choices = STATES.get(machine)
    if choices is not None and state in choices.values:
        return str(choices(state).label)
    return state
