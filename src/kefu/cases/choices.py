"""Choices of after-sales cases (售后单) and compensations."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseKind(models.TextChoices):
    REFUND_ONLY = "refund_only", _("Refund only")
    RETURN_REFUND = "return_refund", _("Return and refund")
    EXCHANGE = "exchange", _("Exchange")
    REPAIR = "repair", _("Repair")


class CaseReason(models.TextChoices):
    NO_REASON = "no_reason", _("7-day no-reason return")
    QUALITY = "quality", _("Quality problem")
    WRONG_ITEM = "wrong_item", _("Wrong item")
    MISSING_ITEM = "missing_item", _("Missing item")
    DAMAGED = "damaged", _("Damaged in transit")
    OTHER = "other", _("Other")


class CaseStatus(models.TextChoices):
    REQUESTED = "requested", _("Waiting for our answer")
    AGREED = "agreed", _("Agreed, waiting for the return")
    REFUSED = "refused", _("Refused")
    RETURNING = "returning", _("Return on its way")
    RECEIVED = "received", _("Return received")
    TO_REFUND = "to_refund", _("Refund to request")
    PAYMENT_REQUESTED = "payment_requested", _("Waiting for finance")
    REFUNDED = "refunded", _("Refunded")
    REPLACEMENT_SHIPPED = "replacement_shipped", _("Replacement shipped")
    REPAIRING = "repairing", _("Being repaired")
    REPAIRED_SHIPPED = "repaired_shipped", _("Repaired item shipped back")
    COMPLETED = "completed", _("Completed")
    CLOSED = "closed", _("Closed")


# States in which a case is finished: no deadline runs, a new case of its kind may be opened.
FINISHED = frozenset({CaseStatus.REFUSED, CaseStatus.REFUNDED, CaseStatus.COMPLETED, CaseStatus.CLOSED})


class PostagePayer(models.TextChoices):
    SHOP = "shop", _("The shop pays the return postage")
    BUYER = "buyer", _("The buyer pays the return postage")


class DeadlineName(models.TextChoices):
    SELLER_RESPOND_BY = "seller_respond_by", _("Answer the request by")
    BUYER_SHIP_BY = "buyer_ship_by", _("Buyer ships the return by")
    SELLER_CONFIRM_BY = "seller_confirm_by", _("Confirm receipt of the return by")


class CompensationKind(models.TextChoices):
    COUPON = "coupon", _("Coupon")
    GIFT = "gift", _("Gift")
    MONEY = "money", _("Money")


class CompensationReason(models.TextChoices):
    """Known reasons (other apps may record their own short text; reports show it as is)."""

    DELAY = "delay", _("Late delivery")
    SMALL_FAULT = "small_fault", _("Small fault")
    QUALITY = "quality", _("Quality problem")
    WRONG_ITEM = "wrong_item", _("Wrong item")
    MISSING_ITEM = "missing_item", _("Missing item")
    DAMAGED = "damaged", _("Damaged in transit")
    LOST_PARCEL = "lost_parcel", _("Lost parcel")
    SERVICE = "service", _("Our service fell short")
    COMPLAINT = "complaint", _("Complaint")
    OTHER = "other", _("Other")


class CompensationStatus(models.TextChoices):
    PENDING_APPROVAL = "pending_approval", _("Waiting for a supervisor")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


# The shipped reason rules (migration 0002 writes them as editable rows; used when a row is missing).
SHOP_PAYS_POSTAGE = frozenset({CaseReason.QUALITY, CaseReason.WRONG_ITEM, CaseReason.MISSING_ITEM, CaseReason.DAMAGED})
PHOTOS_REQUIRED = frozenset({CaseReason.QUALITY, CaseReason.DAMAGED})
