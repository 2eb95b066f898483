from django.db import models
from django.utils.translation import gettext_lazy as _


class IdentityKind(models.TextChoices):
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    VISITOR = "visitor", _("Web visitor")
    PLATFORM = "platform", _("Platform account")


class VipTier(models.IntegerChoices):
    NONE = 0, _("Regular")
    SILVER = 1, _("VIP silver")
    GOLD = 2, _("VIP gold")
    DIAMOND = 3, _("VIP diamond")


class CustomerType(models.TextChoices):
    """R32: files for permanent and potential customers."""

    PERMANENT = "permanent", _("Permanent customer")
    POTENTIAL = "potential", _("Potential customer")


class Gender(models.TextChoices):
    UNKNOWN = "", _("Unknown")
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class RemarkKind(models.TextChoices):
    SPECIAL_REQUEST = "special_request", _("Special request")
    NOTE = "note", _("Note")
