"""One timeline of a ticket: the messages of its conversation (chat or e-mail), internal remarks,
audit events and SLA milestones, in time order.  Other apps add their own entries (phone calls
from ``kefu.intake``) by registering a source with :func:`register_source`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kefu.core.audit_labels import state_label, verb_label
from kefu.core.events import audit_trail
from kefu.sla.models import SlaTimer
from kefu.tickets.models import Ticket


@dataclass
class Entry:
    at: datetime
    kind: str  # message, note, remark, event, sla, call, …
    title: str
    body: str = ""
    actor: str = ""
    css: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


Source = Callable[[Ticket], list[Entry]]
SOURCES: list[Source] = []


def register_source(source: Source) -> Source:
    """Add entries from another app (e.g. the calls of ``kefu.intake``) to every ticket's timeline."""
    SOURCES.append(source)
    return source


# Labels of the verbs written by the SLA engine, automation and the ticket actions added with them.
VERBS = {
    "sla.policy_applied": gettext_lazy("SLA policy applied"),
    "sla.warning": gettext_lazy("SLA warning"),
    "sla.breached": gettext_lazy("SLA breached"),
    "sla.met": gettext_lazy("SLA target met"),
    "sla.escalated": gettext_lazy("Escalated after an SLA breach"),
    "automation.trigger": gettext_lazy("Trigger ran"),
    "automation.time_trigger": gettext_lazy("Time trigger ran"),
    "automation.macro": gettext_lazy("Macro applied"),
    "automation.skipped": gettext_lazy("Automation step skipped"),
    "automation.loop_prevented": gettext_lazy("Trigger loop prevented"),
    "ticket.merged": gettext_lazy("Another ticket merged in"),
    "ticket.merged_into": gettext_lazy("Merged into another ticket"),
    "ticket.split": gettext_lazy("Split into a new ticket"),
    "ticket.linked": gettext_lazy("Linked"),
    "ticket.contacted": gettext_lazy("Customer contacted"),
    "ticket.appointment": gettext_lazy("On-site time agreed"),
    "ticket.arrived": gettext_lazy("Arrived on site"),
    "ticket.mentioned": gettext_lazy("Colleagues mentioned"),
}


# How an agent reached the customer (``ticket.contacted``'s ``how``): the code is never shown.
HOW = {
    "reply": gettext_lazy("Reply"),
    "canned_reply": gettext_lazy("Canned reply"),
    "phone": gettext_lazy("Phone"),
    "email": gettext_lazy("Email"),
    "chat": gettext_lazy("Chat"),
    "visit": gettext_lazy("Visit"),
    "fax": gettext_lazy("Fax"),
    "other": gettext_lazy("Other"),
}


def label(verb: str) -> str:
    return str(VERBS[verb]) if verb in VERBS else verb_label(verb)


# Audit verbs already shown by a richer entry of their own.
_SHOWN_ELSEWHERE = {"ticket.remark"}


def _messages(ticket: Ticket) -> list[Entry]:
    if ticket.conversation_id is None:
        return []
    from kefu.conversations.models import Message

    rows = Message.objects.filter(conversation_id=ticket.conversation_id).select_related("author").order_by("id")
    entries = []
    for m in rows[:500]:
        if m.is_internal:
            kind, title = "note", _("Internal note")
        elif m.author_kind == "customer":
            kind, title = "message", _("Customer")
        else:
            kind, title = "message", m.get_author_kind_display()
        who = str(m.author) if m.author else ""
        entries.append(Entry(m.created_at, kind, title, m.text, who, f"msg-{m.author_kind}"))
    return entries


def _remarks(ticket: Ticket) -> list[Entry]:
    return [
        Entry(r.created_at, "remark", _("Remark"), r.text, str(r.author or ""), "remark")
        for r in ticket.remarks.select_related("author")
    ]


def _audit(ticket: Ticket) -> list[Entry]:
    entries = []
    for e in audit_trail(ticket):
        if e.verb in _SHOWN_ELSEWHERE:
            continue
        title = label(e.verb)
        body = _detail(e.verb, e.data or {}) or _states(e.verb, e.from_state, e.to_state)
        css = "sla-event" if e.verb.startswith("sla.") else "event"
        entries.append(Entry(e.created_at, "event", title, body, str(e.actor or ""), css, {"verb": e.verb}))
    return entries


def _states(verb: str, source: str, target: str) -> str:
    if not (source or target):
        return ""
    machine = verb.split(".", 1)[0]
    return f"{state_label(machine, source) if source else '·'} → {state_label(machine, target)}"


def _detail(verb: str, data: dict[str, Any]) -> str:
    from kefu.sla.choices import Metric

    if verb.startswith("sla.") and data.get("metric") in Metric.values:
        return str(Metric(data["metric"]).label)
    if verb in ("sla.policy_applied",) or data.get("sla_policy_name"):
        return str(data.get("name") or data.get("sla_policy_name") or "")
    if verb.startswith("automation.") and data.get("name"):
        return str(data["name"])
    if verb == "ticket.updated" and isinstance(data.get("changed"), dict):
        return ", ".join(_field_label(name) for name in data["changed"])
    if verb == "ticket.contacted" and data.get("how"):
        return str(HOW.get(str(data["how"]), ""))
    if verb in ("ticket.merged", "ticket.merged_into", "ticket.split", "ticket.linked"):
        other = data.get("from") or data.get("into") or data.get("other")
        return f"#{other}" if other else ""
    return ""


def _field_label(name: str) -> str:
    try:
        return str(getattr(Ticket._meta.get_field(name), "verbose_name", name))
    except FieldDoesNotExist:  # an old audit row may name a field that is gone
        return name


def _milestones(ticket: Ticket, now: datetime) -> list[Entry]:
    """Deadlines still ahead (met and missed ones are in the audit events)."""
    entries = []
    for timer in SlaTimer.objects.filter(ticket=ticket, met_at__isnull=True, due_at__gt=now):
        label = timer.get_metric_display()
        if timer.due_at is None:
            continue
        entries.append(
            Entry(timer.due_at, "sla", _("%(metric)s due") % {"metric": label}, "", "", "sla-due", {"future": True})
        )
    return entries


def timeline(ticket: Ticket, *, now: datetime) -> list[Entry]:
    entries = _messages(ticket) + _remarks(ticket) + _audit(ticket) + _milestones(ticket, now)
    for source in SOURCES:
        entries += source(ticket)
    return sorted(entries, key=lambda e: e.at)
