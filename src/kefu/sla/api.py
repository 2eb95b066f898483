from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from kefu.core.actions import require
from kefu.core.api_auth import needs
from kefu.sla.preview import preview

router = Router(tags=["sla"])


class PreviewIn(Schema):
    calendar: str
    start: str
    minutes: float
    business: bool = True
    pauses: list[list[str | None]] = []


@router.post("/preview", auth=needs("sla.preview_sla"))
def preview_due(request: HttpRequest, body: PreviewIn) -> dict[str, Any]:
    """The due time of a target: ``{"due_at": ISO-8601}`` in the calendar's time zone
    (``null`` while a pause without an end is still running)."""
    require(request.user, "sla.preview_sla")
    due = preview(body.calendar, body.start, body.minutes, business=body.business, pauses=body.pauses)
    return {"due_at": due.isoformat() if due else None}
