"""The complaint panel of the conversation and ticket pages: the one-click button, the link to an
existing complaint, and the assist's complaint cues (contract A) as a suggestion."""

from __future__ import annotations

from typing import Any

from django import template

from kefu.complaints.choices import ComplaintStatus
from kefu.complaints.models import Complaint

register = template.Library()


def cues_of(texts: list[str]) -> list[str]:
    try:
        from kefu.assist.cues import complaint_cues
    except ImportError:
        return []
    found: dict[str, None] = {}
    for text in texts:
        for cue in complaint_cues(text):
            found.setdefault(cue)
    return list(found)[:6]


@register.inclusion_tag("complaints/_panel.html", takes_context=True)
def complaint_panel(context: Any, conversation: Any = None, ticket: Any = None) -> dict[str, Any]:
    rows = Complaint.objects.none()
    texts: list[str] = []
    if conversation is not None:
        rows = Complaint.objects.filter(conversation=conversation)
        texts = list(
            conversation.messages.filter(author_kind="customer", is_internal=False)
            .order_by("-created_at")
            .values_list("text", flat=True)[:30]
        )
    elif ticket is not None:
        rows = Complaint.objects.filter(ticket=ticket)
        texts = [f"{ticket.subject} {ticket.description}"]
    existing = rows.order_by("-id").first()
    open_one = existing is not None and existing.status != ComplaintStatus.CLOSED
    return {
        "conversation": conversation,
        "ticket": ticket,
        "existing": existing,
        "cues": [] if open_one else cues_of(texts),
        "open_one": open_one,
        "csrf_token": context.get("csrf_token"),
        "user": context.get("user"),
    }
