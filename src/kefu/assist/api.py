"""REST endpoints of the assist app (mounted by kefu.web.api): reply lint and emotion analysis."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import StrictStr

from kefu.assist.emotion import analyze
from kefu.assist.lint import lint
from kefu.core.actions import require
from kefu.core.errors import ValidationFailed

router = Router(tags=["assist"])

MAX_TEXT = 5000


class TextIn(Schema):
    text: StrictStr


def checked_text(text: str) -> str:
    """The text of an assist/bot request: present and at most ``MAX_TEXT`` characters."""
    if not text.strip():
        raise ValidationFailed(_("Write some text to check."))
    if len(text) > MAX_TEXT:
        raise ValidationFailed(_("A text has at most %(n)d characters.") % {"n": MAX_TEXT})
    return text


@router.post("/assist/lint")
def lint_text(request: HttpRequest, body: TextIn) -> dict[str, Any]:
    """Violations of the service standards (R18) in an agent's draft: ``{"violations": [{"start", "end",
    "text", "rule", "severity", "message", "suggestion"}]}``; offsets count characters of ``text``."""
    require(request.user, "assist.use_assist")
    return {"violations": [v.as_dict() for v in lint(checked_text(body.text))]}


@router.post("/assist/analyze")
def analyze_text(request: HttpRequest, body: TextIn) -> dict[str, Any]:
    """The emotion of a customer's message: ``{"emotion": "calm"|"unhappy"|"angry", "score", "urgent",
    "cues", "intent", "script": "zh-Hans"|"zh-Hant"|"other", "source": "screen"|"model"}``."""
    require(request.user, "assist.use_assist")
    return analyze(checked_text(body.text)).as_dict()
