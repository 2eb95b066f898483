"""Calls on the ticket timeline (``kefu.tickets.timeline`` source)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from kefu.intake.models import CallRecord
from kefu.tickets.models import Ticket
from kefu.tickets.timeline import Entry, register_source


@register_source
def calls(ticket: Ticket) -> list[Entry]:
    entries = []
    for call in CallRecord.objects.filter(ticket=ticket).select_related("agent").order_by("started_at", "id"):
        duration = call.duration_text
        title = _("%(medium)s %(direction)s %(number)s · %(outcome)s") % {
            "medium": call.get_medium_display(),
            "direction": call.get_direction_display(),
            "number": call.number,
            "outcome": call.get_outcome_display(),
        }
        entries.append(
            Entry(
                at=call.started_at,
                kind="call",
                title=f"{title} · {duration}" if duration else title,
                body=call.notes,
                actor=str(call.agent) if call.agent else "",
                extra={"call": call.pk},
            )
        )
    return entries
