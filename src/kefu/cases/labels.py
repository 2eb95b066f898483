"""How the steps of a case read to people (buttons and the timeline), in the UI language."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Buttons of the events a person fires.
EVENT_LABELS: dict[str, Promise] = {
    "agree": _("Agree"),
    "refuse": _("Refuse"),
    "close": _("Close"),
    "buyer_shipped": _("Buyer shipped the return"),
    "confirm_receipt": _("Confirm receipt"),
    "ship_replacement": _("Ship the replacement"),
    "start_repair": _("Start the repair"),
    "ship_repaired": _("Ship the repaired item back"),
    "complete": _("Complete"),
    "request_payment": _("Ask finance to pay"),
    "pay": _("Pay the refund"),
    "send_back": _("Send back"),
}

# Timeline lines of everything else on a case's audit trail.
VERB_LABELS: dict[str, Promise] = {
    "case.created": _("Case opened"),
    "case.photos_added": _("Photos added"),
    "case.auto_agree": _("The platform agreed (no answer in time)"),
    "case.buyer_ship_timeout": _("Closed: the return was not shipped in time"),
    "case.auto_refund": _("The platform refunded (receipt not confirmed in time)"),
    "deadline.warning": _("Deadline warning sent"),
    "deadline.passed": _("Deadline passed"),
    "compensation.offered": _("Compensation offered"),
    "compensation.approve": _("Approved"),
    "compensation.reject": _("Rejected"),
}


def button(event: str) -> str:
    return str(EVENT_LABELS.get(event, event))


def step(verb: str) -> str:
    if verb in VERB_LABELS:
        return str(VERB_LABELS[verb])
    event = verb.removeprefix("case.")
    return str(EVENT_LABELS.get(event, verb))
