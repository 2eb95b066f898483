from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def rule_name(names: dict[str, str], rule: str) -> str:
    return names.get(rule, rule)


@register.filter
def split(value: str) -> list[str]:
    return value.split()
