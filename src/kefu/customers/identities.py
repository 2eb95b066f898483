"""Normalising identity values so the same person is found whatever the spelling."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from kefu.core.errors import ValidationFailed
from kefu.customers.choices import IdentityKind

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalise(kind: str, value: str) -> str:
    value = (value or "").strip()
    if kind == IdentityKind.EMAIL:
        value = value.lower()
        if not _EMAIL.match(value) or len(value) > 200:
            raise ValidationFailed(_("“%(value)s” is not an email address.") % {"value": value})
        return value
    if kind == IdentityKind.PHONE:
        digits = re.sub(r"[^\d+]", "", value)
        digits = digits.removeprefix("+")
        if digits.startswith("0086"):
            digits = digits[4:]
        elif digits.startswith("86") and len(digits) == 13:
            digits = digits[2:]
        if not digits.isdigit() or not 5 <= len(digits) <= 16:
            raise ValidationFailed(_("“%(value)s” is not a phone number.") % {"value": value})
        return digits
    if kind in (IdentityKind.VISITOR, IdentityKind.PLATFORM):
        if not value or len(value) > 200:
            raise ValidationFailed(_("An identity needs a value of at most 200 characters."))
        if kind == IdentityKind.PLATFORM and ":" not in value:
            raise ValidationFailed(_("A platform account is written PLATFORM:ACCOUNT, e.g. taobao:buyer123."))
        if kind == IdentityKind.PLATFORM:
            platform, _sep, account = value.partition(":")
            return f"{platform.strip().lower()}:{account.strip()}"
        return value
    raise ValidationFailed(_("Unknown identity kind “%(kind)s”.") % {"kind": kind})
