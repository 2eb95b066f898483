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


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    DELIVERED = "delivered", _("delivered")
    FAILED = "failed", _("failed")
