from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kefu.accounts.choices import Presence


def workspace(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"presence_choices": Presence.choices}
