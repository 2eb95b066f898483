"""How audit rows read to people: verbs and states in the UI language."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

VERBS: dict[str, Promise] = {
    "api_token.created": _("API token created"),
    "api_token.revoked": _("API token revoked"),
    "conversation.created": _("Conversation started"),
    "conversation.assigned": _("Assigned"),
    "conversation.classified": _("Classified"),
    "customer.address_added": _("Address added"),
    "customer.created": _("Customer created"),
    "customer.identity_added": _("Contact added"),
    "customer.merged": _("Duplicate merged in"),
    "customer.merged_away": _("Merged into another customer"),
    "customer.owner": _("Owner salesperson set"),
    "customer.remark": _("Remark added"),
    "customer.tags": _("Tags changed"),
    "customer.updated": _("Profile changed"),
    "customer.usual_products": _("Usual products set"),
    "customer.vip_tier": _("VIP tier changed"),
    "team.created": _("Team created"),
    "team.member_added": _("Member added"),
    "ticket.created": _("Ticket created"),
    "ticket.assigned": _("Assigned"),
    "ticket.remark": _("Remark added"),
    "ticket.updated": _("Ticket changed"),
    "user.max_chats": _("Chat limit changed"),
}

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


def verb_label(verb: str) -> str:
    if verb in VERBS:
        return str(VERBS[verb])
    _machine, _dot, event = verb.partition(".")
    return str(EVENTS.get(event, verb))


def state_label(machine: str, state: str) -> str:
    from kefu.conversations.choices import ConversationStatus
    from kefu.tickets.choices import TicketStatus

    choices = {"ticket": TicketStatus, "conversation": ConversationStatus}.get(machine)
    if choices is not None and state in choices.values:
        return str(choices(state).label)
    return state
