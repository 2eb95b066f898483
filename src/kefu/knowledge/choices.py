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


class ArticleCategory(models.TextChoices):
    """Support documents of R37: price list, product manual, technical FAQ, policies."""

    PRICE_LIST = "price_list", _("Price list")
    PRODUCT_MANUAL = "product_manual", _("Product manual")
    TECHNICAL_FAQ = "technical_faq", _("Technical FAQ")
    ORDERING = "ordering", _("Ordering and payment")
    SHIPPING = "shipping", _("Shipping policy")
    RETURNS = "returns", _("Returns and exchanges")
    REFUNDS = "refunds", _("Refunds")
    WARRANTY = "warranty", _("Warranty and repair")
    INVOICES = "invoices", _("Invoices")
    INSTALLATION = "installation", _("Installation")
    OTHER = "other", _("Other")


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class CannedScope(models.TextChoices):
    """Who sees a canned reply: everybody, one team, or only its owner."""

    COMPANY = "company", _("Company")
    TEAM = "team", _("Team")
    PERSONAL = "personal", _("Personal")
