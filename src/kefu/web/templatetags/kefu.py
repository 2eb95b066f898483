from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def status_badge(obj: Any) -> str:
    return format_html('<span class="badge st-{}">{}</span>', obj.status, obj.get_status_display())


@register.simple_tag
def priority_badge(obj: Any) -> str:
    return format_html('<span class="prio pr-{}">{}</span>', obj.priority, obj.get_priority_display())


@register.filter
def initial(value: Any) -> str:
    text = str(value or "?").strip()
    return text[:1].upper() if text else "?"
