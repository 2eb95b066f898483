"""Classifications shared by conversations and tickets (R1, R2)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceClass(models.TextChoices):
    """The eight classes of service of seed 000 (R1)."""

    INFORMATION = "information", _("Information & consultation")
    DEMONSTRATION = "demonstration", _("Demonstration, operation & explanation")
    HOSPITALITY = "hospitality", _("Hospitality")
    ORDERING = "ordering", _("Ordering")
    BILLING = "billing", _("Billing & payment")
    DELIVERY = "delivery", _("Delivery")
    AFTER_SALES = "after_sales", _("After-sales")
    OTHER = "other", _("Other")


class Stage(models.TextChoices):
    """Pre-sale / in-sale / after-sale (R2)."""

    PRE_SALE = "pre_sale", _("Pre-sale")
    IN_SALE = "in_sale", _("In-sale")
    AFTER_SALE = "after_sale", _("After-sale")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


PRIORITY_RANK = {Priority.LOW: 0, Priority.NORMAL: 1, Priority.HIGH: 2, Priority.URGENT: 3}
