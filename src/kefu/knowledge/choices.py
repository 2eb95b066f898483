from django.db import models
from django.utils.translation import gettext_lazy as _


class CannedCategory(models.TextChoices):
    """Categories of the seed-003 appendix phrases (R20)."""

    WELCOME = "welcome", _("Welcome")
    STOCK = "stock", _("Stock check")
    PRODUCT_CHOICE = "product_choice", _("Product choice")
    TRUST = "trust", _("Trust doubts")
    BARGAIN = "bargain", _("Bargaining")
    NOT_INTERESTED = "not_interested", _("Not interested")
    PAYMENT = "payment", _("Payment")
    SHIPPING_FEE = "shipping_fee", _("Shipping fee")
    COURIER = "courier", _("Courier choice")
    CLOSING = "closing", _("Closing")
    HURRY_SHIPPING = "hurry_shipping", _("Hurry-up shipping")
    LOGISTICS = "logistics", _("Logistics progress")
    DISSATISFIED = "dissatisfied", _("Dissatisfied on receipt")
    QUALITY = "quality", _("Quality problem")
    AFTERSALES = "aftersales", _("After-sales")
    GREETING_PHONE = "greeting_phone", _("Phone greeting")
    OTHER = "other", _("Other")
