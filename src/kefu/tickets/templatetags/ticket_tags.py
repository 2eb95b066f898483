from __future__ import annotations

import re
from typing import Any

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def tag_list(value: str) -> list[str]:
    """The tags of a ticket's ``tags`` column (",a,b,")."""
    return [t for t in (value or "").split(",") if t]


@register.filter
def mentions(text: Any) -> SafeString:
    """Escape a remark and highlight ``@username`` mentions."""
    escaped = escape(str(text or ""))
    return mark_safe(re.sub(r"@([\w.\-]+)", r'<b class="mention">@\1</b>', escaped).replace("\n", "<br>"))  # noqa: S308 - escaped above
