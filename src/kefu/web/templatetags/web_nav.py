"""The workspace's top navigation: ``{% main_nav %}`` (kefu.web.home.nav_for)."""

from __future__ import annotations

from typing import Any

from django import template

from kefu.web.home import nav_for

register = template.Library()


@register.inclusion_tag("web/_nav.html", takes_context=True)
def main_nav(context: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated:
        return {"nav": None}
    return {"nav": nav_for(user, request.path)}
