from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from kefu.accounts.choices import Presence
from kefu.core.choices import Priority, ServiceClass, Stage
from kefu.tickets.choices import TicketType


def workspace(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "ws_config": {
            "user": user.pk,
            "username": user.get_username(),
            "badge": reverse("web:inbox-badge"),
            "inbox": reverse("web:inbox"),
            "tz": settings.TIME_ZONE,  # KEFU_TIME_ZONE: live and reloaded times read the same
        },
        "presence_choices": Presence.choices,
        "kefu_choices": {
            "service_class": ServiceClass.choices,
            "stage": Stage.choices,
            "priority": Priority.choices,
            "ticket_type": TicketType.choices,
        },
    }
