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


@register.filter
def audit_verb(event: Any) -> str:
    from kefu.core.audit_labels import verb_label

    return verb_label(event.verb)


@register.simple_tag
def audit_states(event: Any) -> str:
    from kefu.core.audit_labels import state_label

    if not (event.from_state or event.to_state):
        return ""
    machine = event.verb.split(".", 1)[0]
    source = state_label(machine, event.from_state) if event.from_state else "·"
    return format_html("{} → {}", source, state_label(machine, event.to_state))
