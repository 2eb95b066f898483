from django.db import models
from django.utils.translation import gettext_lazy as _


class ChannelKind(models.TextChoices):
    """The channels of R3."""

    WEB_CHAT = "web_chat", _("Web chat")
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone hotline")
    PLATFORM = "platform", _("Platform messages")
    FACE_TO_FACE = "face_to_face", _("Face to face")
    LETTER = "letter", _("Fax / letter")
    VIDEO = "video", _("Video chat")
    SOCIAL = "social", _("Social media")
    SELF_SERVICE = "self_service", _("Self-service")


class ConversationStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PENDING = "pending", _("Pending")
    SNOOZED = "snoozed", _("Snoozed")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


class AuthorKind(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    AGENT = "agent", _("Agent")
    BOT = "bot", _("Bot")
    SYSTEM = "system", _("System")


class RoutingStrategy(models.TextChoices):
    ROUND_ROBIN = "round_robin", _("Round robin")
    LEAST_BUSY = "least_busy", _("Least busy")
    MANUAL = "manual", _("Agents pick from the queue")
