from django.db import models
from django.utils.translation import gettext_lazy as _


class ComplaintStatus(models.TextChoices):
    """The steps of seed 004's complaint procedure (R28)."""

    REGISTERED = "registered", _("Registered")
    CONTACTED = "contacted", _("Customer contacted")
    ANALYSED = "analysed", _("Analysed")
    PROPOSED = "proposed", _("Proposal waiting for approval")
    APPROVED = "approved", _("Proposal approved")
    ANSWERED = "answered", _("Answered to the customer")
    AGREED = "agreed", _("Customer agreed")
    IMPLEMENTING = "implementing", _("Implementing")
    TRACKING = "tracking", _("Tracking")
    CLOSED = "closed", _("Closed")


class ComplaintChannel(models.TextChoices):
    PHONE = "phone", _("Phone")
    CHAT = "chat", _("Online chat")
    EMAIL = "email", _("Email")
    LETTER = "letter", _("Letter / fax")
    IN_PERSON = "in_person", _("In person")
    MARKETPLACE = "marketplace", _("Marketplace")


class Severity(models.TextChoices):
    MINOR = "minor", _("Minor")
    NORMAL = "normal", _("Normal")
    SERIOUS = "serious", _("Serious")
    CRITICAL = "critical", _("Critical")


class Responsibility(models.TextChoices):
    OURS = "ours", _("Ours (the company)")
    COURIER = "courier", _("The courier")
    CUSTOMER = "customer", _("The customer")
    STAFF = "staff", _("A staff member")


class Agreement(models.TextChoices):
    SIGNED_FORM = "signed_form", _("Signed form uploaded")
    LINK = "link", _("Accepted on the link sent to the customer")


class Level(models.IntegerChoices):
    """Who handles the complaint; a passed deadline raises it (R29)."""

    HANDLER = 0, _("Handler")
    TEAM_LEADER = 1, _("Team leader")
    SUPERVISOR = 2, _("Supervisor")


class RecordLevel(models.TextChoices):
    """R30: the 1st verified fault in the period, the 2nd, the 3rd and later."""

    WARNING = "warning", _("Warning")
    PENALTY = "penalty", _("Penalty")
    DISMISSAL = "dismissal_recommended", _("Dismissal recommended")


class AppealStatus(models.TextChoices):
    NONE = "", _("No appeal")
    PENDING = "pending", _("Appeal pending")
    UPHELD = "upheld", _("Appeal upheld (entry withdrawn)")
    REJECTED = "rejected", _("Appeal rejected")


# Channels of the conversations app → the register form's channel.
CHANNEL_OF_CONVERSATION = {
    "web_chat": ComplaintChannel.CHAT,
    "social": ComplaintChannel.CHAT,
    "video": ComplaintChannel.CHAT,
    "self_service": ComplaintChannel.CHAT,
    "email": ComplaintChannel.EMAIL,
    "phone": ComplaintChannel.PHONE,
    "platform": ComplaintChannel.MARKETPLACE,
    "face_to_face": ComplaintChannel.IN_PERSON,
    "letter": ComplaintChannel.LETTER,
}
