from django.db import models
from django.utils.translation import gettext_lazy as _


class Payment(models.TextChoices):
    ONLINE = "online", _("Paid online")
    COD = "cod", _("Cash on delivery")


class OrderStatus(models.TextChoices):
    PENDING_CONFIRMATION = "pending_confirmation", _("COD: to confirm")
    PENDING_PAYMENT = "pending_payment", _("Awaiting payment")
    PAID = "paid", _("Paid, to ship")
    CONFIRMED = "confirmed", _("COD confirmed, to ship")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class ShipmentKind(models.TextChoices):
    OUTBOUND = "outbound", _("Outbound")
    RETURN = "return", _("Return")
    REPLACEMENT = "replacement", _("Replacement")


class CarrierKind(models.TextChoices):
    EXPRESS = "express", _("Express")
    POST = "post", _("Post")


class ShipmentStatus(models.TextChoices):
    CREATED = "created", _("Label created")
    IN_TRANSIT = "in_transit", _("In transit")
    OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
    DELIVERY_FAILED = "delivery_failed", _("Delivery failed")
    DELIVERED = "delivered", _("Delivered")
    REFUSED = "refused", _("Refused by the recipient")
    RETURNED = "returned", _("Returned to sender")
    LOST = "lost", _("Lost")


class TrackingEventKind(models.TextChoices):
    """What a tracking event means, normalised over couriers."""

    PICKED_UP = "picked_up", _("Picked up")
    IN_TRANSIT = "in_transit", _("In transit")
    OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
    DELIVERED = "delivered", _("Delivered")
    DELIVERY_FAILED = "delivery_failed", _("Delivery failed")
    REFUSED = "refused", _("Refused")
    RETURNED = "returned", _("Returned to sender")
    WRONG_ITEM = "wrong_item", _("Wrong item delivered")
    LOST = "lost", _("Lost")
    NOTE = "note", _("Note")


class TrackingSource(models.TextChoices):
    COURIER = "courier", _("Courier")
    AGENT = "agent", _("Agent")


class CodOutcome(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    DECLINED = "declined", _("Declined")
    UNREACHABLE = "unreachable", _("Unreachable")


class ExceptionKind(models.TextChoices):
    NO_MOVEMENT = "no_movement", _("No movement")
    DELIVERY_FAILED = "delivery_failed", _("Delivery failed")
    DELAYED = "delayed", _("Delayed against the estimate")
    WRONG_ITEM = "wrong_item", _("Wrong item delivered")
    LOST = "lost", _("Lost parcel")


class ExceptionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    REDELIVERY = "redelivery", _("Redelivery requested")
    COMPENSATED = "compensated", _("Customer compensated")
    CLAIMING = "claiming", _("Claim against the courier")
    RESOLVED = "resolved", _("Resolved")


class ClaimStatus(models.TextChoices):
    NONE = "", _("No claim")
    FILED = "filed", _("Filed")
    ACCEPTED = "accepted", _("Accepted by the courier")
    REJECTED = "rejected", _("Rejected by the courier")
    PAID = "paid", _("Paid out")


class ServiceKind(models.TextChoices):
    INSTALLATION = "installation", _("Installation")
    COMMISSIONING = "commissioning", _("Commissioning")
    REPAIR = "repair", _("Repair & maintenance")
    TRAINING = "training", _("Training")
    INSPECTION = "inspection", _("Inspection")


class ServiceStatus(models.TextChoices):
    NEW = "new", _("New")
    SCHEDULED = "scheduled", _("Scheduled")
    ON_SITE = "on_site", _("On site")
    DONE = "done", _("Work done")
    CONFIRMED = "confirmed", _("Confirmed by the customer")
    CANCELLED = "cancelled", _("Cancelled")


class ReminderKind(models.TextChoices):
    WARRANTY_EXPIRY = "warranty_expiry", _("Warranty expiry")
    INSPECTION = "inspection", _("Periodic inspection")


class ReminderStatus(models.TextChoices):
    OPEN = "open", _("To do")
    SNOOZED = "snoozed", _("Snoozed")
    DONE = "done", _("Done")
