"""REST endpoints of the quality app (mounted by kefu.web.api at /api/v1/)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from kefu.core.actions import require
from kefu.quality import engine
from kefu.quality.actions import default_scorecard, specs_of

router = Router(tags=["quality"])


class InspectIn(Schema):
    channel: Any = None
    messages: Any = None


@router.post("/quality/inspect")
def inspect(request: HttpRequest, body: InspectIn) -> dict[str, Any]:
    """Inspect a transcript with the default scorecard without storing it."""
    require(request.user, "quality.view_inspection")
    transcript = engine.parse_messages(body.channel, body.messages)
    # Not stored, so not analysed yet: analyse its customer messages once (screen, then one model batch).
    return engine.run(engine.with_analysis(transcript), specs_of(default_scorecard())).as_dict()
