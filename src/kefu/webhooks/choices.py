from django.db import models
from django.utils.translation import gettext_lazy as _

# The documented stream events (docs/events.md) an endpoint may subscribe to, as "type.op".
EVENT_TYPES: tuple[str, ...] = (
    "conversation.created",
    "conversation.assigned",
    "conversation.status",
    "conversation.classified",
    "message.created",
    "ticket.created",
    "ticket.updated",
    "ticket.assigned",
    "ticket.status",
    "ticket.remark",
    "complaint.created",
    "complaint.status",
    "complaint.escalated",
    "agent.presence",
)

# What the administrator reads next to each code (the code itself is what receivers see).
EVENT_LABELS = {
    "conversation.created": _("Conversation started"),
    "conversation.assigned": _("Conversation assigned"),
    "conversation.status": _("Conversation status changed"),
    "conversation.classified": _("Conversation classified"),
    "message.created": _("New message (internal notes included)"),
    "ticket.created": _("Ticket created"),
    "ticket.updated": _("Ticket changed"),
    "ticket.assigned": _("Ticket assigned"),
    "ticket.status": _("Ticket status changed"),
    "ticket.remark": _("Ticket remark added"),
    "complaint.created": _("Complaint registered"),
    "complaint.status": _("Complaint status changed"),
    "complaint.escalated": _("Complaint escalated"),
    "agent.presence": _("Agent presence changed"),
}


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    DELIVERED = "delivered", _("delivered")
    FAILED = "failed", _("failed (no more retries)")
