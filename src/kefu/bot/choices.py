"""Choices of the bot app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Intent(models.TextChoices):
    """What a customer's message asks for (issue 7's list)."""

    CONSULTATION = "consultation", _("Consultation")
    STOCK = "stock", _("Stock")
    PRICE = "price", _("Price / bargaining")
    PAYMENT = "payment", _("Payment")
    SHIPPING_FEE = "shipping_fee", _("Shipping fee")
    COURIER = "courier", _("Courier")
    HURRY = "hurry", _("Hurry shipping")
    LOGISTICS = "logistics", _("Logistics")
    RETURN = "return", _("Return")
    EXCHANGE = "exchange", _("Exchange")
    REFUND = "refund", _("Refund")
    QUALITY = "quality", _("Quality problem")
    COMPLAINT = "complaint", _("Complaint")
    REPAIR = "repair", _("Installation / repair")
    INVOICE = "invoice", _("Invoice")
    HUMAN = "human", _("Ask for a person")
    GREETING = "greeting", _("Greeting")
    THANKS = "thanks", _("Thanks")


class BotState(models.TextChoices):
    ANSWERING = "answering", _("Bot answering")
    HANDED_OVER = "handed_over", _("Handed over to a person")


class HandoffReason(models.TextChoices):
    ASKED = "asked", _("The customer asked for a person")
    LOW_CONFIDENCE = "low_confidence", _("The bot was not sure")
    ANGRY = "angry", _("The customer is upset")
    COMPLAINT = "complaint", _("A complaint")
    AGENT = "agent", _("An agent took the chat")
