from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.core.choices import ServiceClass


class TicketType(models.TextChoices):
    """Work-order types: the classes of R1 and the after-sales kinds of R21–R26."""

    CONSULTATION = "consultation", _("Consultation")
    DEMONSTRATION = "demonstration", _("Demonstration / explanation")
    HOSPITALITY = "hospitality", _("Hospitality")
    ORDER = "order", _("Order")
    BILLING = "billing", _("Billing & payment")
    DELIVERY = "delivery", _("Delivery / logistics")
    INSTALLATION = "installation", _("Installation")
    COMMISSIONING = "commissioning", _("Commissioning")
    REPAIR = "repair", _("Repair & maintenance")
    TRAINING = "training", _("Training")
    INSPECTION = "inspection", _("Inspection")
    VISIT = "visit", _("Visit / revisit")
    RETURN_EXCHANGE = "return_exchange", _("Return / exchange")
    REFUND = "refund", _("Refund")
    COMPENSATION = "compensation", _("Compensation")
    COMPLAINT = "complaint", _("Complaint")
    PRAISE = "praise", _("Praise")
    SPECIAL_REQUEST = "special_request", _("Special request")
    OTHER = "other", _("Other")


SERVICE_CLASS_OF_TYPE: dict[str, str] = {
    TicketType.CONSULTATION: ServiceClass.INFORMATION,
    TicketType.DEMONSTRATION: ServiceClass.DEMONSTRATION,
    TicketType.HOSPITALITY: ServiceClass.HOSPITALITY,
    TicketType.ORDER: ServiceClass.ORDERING,
    TicketType.BILLING: ServiceClass.BILLING,
    TicketType.DELIVERY: ServiceClass.DELIVERY,
    TicketType.INSTALLATION: ServiceClass.AFTER_SALES,
    TicketType.COMMISSIONING: ServiceClass.AFTER_SALES,
    TicketType.REPAIR: ServiceClass.AFTER_SALES,
    TicketType.TRAINING: ServiceClass.AFTER_SALES,
    TicketType.INSPECTION: ServiceClass.AFTER_SALES,
    TicketType.VISIT: ServiceClass.AFTER_SALES,
    TicketType.RETURN_EXCHANGE: ServiceClass.AFTER_SALES,
    TicketType.REFUND: ServiceClass.AFTER_SALES,
    TicketType.COMPENSATION: ServiceClass.OTHER,
    TicketType.COMPLAINT: ServiceClass.OTHER,
    TicketType.PRAISE: ServiceClass.OTHER,
    TicketType.SPECIAL_REQUEST: ServiceClass.OTHER,
    TicketType.OTHER: ServiceClass.OTHER,
}


class TicketStatus(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    PENDING = "pending", _("Waiting on customer")
    ON_HOLD = "on_hold", _("On hold (third party)")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")
