"""REST endpoints of the bot app (mounted by kefu.web.api)."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import StrictStr

from kefu.assist.api import checked_text
from kefu.bot.answer import answer
from kefu.core.actions import require

router = Router(tags=["bot"])


class AnswerIn(Schema):
    text: StrictStr
    lang: Literal["zh-hans", "zh-hant", "en"] = "zh-hans"


@router.post("/bot/answer")
def bot_answer(request: HttpRequest, body: AnswerIn) -> dict[str, Any]:
    """The FAQ bot's answer from public articles: ``{"answer", "article_id", "confidence", "handoff",
    "intent"}``; ``handoff`` true means a person should take over (asked for one, upset, or not sure)."""
    require(request.user, "assist.use_assist")
    return answer(checked_text(body.text), body.lang).as_api()
