"""The procedure's free-text fields: required or not, and at most so many characters."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from kefu.core.errors import ValidationFailed

MAX_TEXT = 5000


def text_field(value: Any, label: str, *, required: bool = True, limit: int = MAX_TEXT) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationFailed(_("%(field)s is required.") % {"field": label})
    if len(text) > limit:
        raise ValidationFailed(_("%(field)s has at most %(n)s characters.") % {"field": label, "n": limit})
    return text
