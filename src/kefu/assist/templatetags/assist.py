"""The assist parts of the conversation page: the composer's reply lint and the side panel with the FAQ
bot's guess and the customer's mood ("soothe first", R19/R31)."""

from __future__ import annotations

from typing import Any

from django import template

from kefu.assist.actions import assist_settings
from kefu.assist.choices import Emotion
from kefu.assist.models import MessageEmotion
from kefu.assist.suggest import SOOTHE_KEYS  # the soothing phrases, one list with the live-assist ranking

register = template.Library()


@register.inclusion_tag("assist/_composer_lint.html")
def assist_composer() -> dict[str, Any]:
    return {"block": list(assist_settings().block_severities or [])}


def _mood(conversation: Any) -> dict[str, Any] | None:
    last = (
        conversation.messages.filter(author_kind="customer", is_internal=False).exclude(text="").order_by("-id").first()
    )
    if last is None:
        return None
    stored = MessageEmotion.objects.filter(message=last).first()
    if stored is not None:
        return {"emotion": stored.emotion, "score": stored.score, "urgent": stored.urgent, "cues": stored.cues}
    # Not analysed yet (the worker lags under load): the cheap screen only, never the encoder on the
    # page's path; where the screen is unsure the panel waits for the stored analysis (its live
    # ``classified`` event) instead of computing it a second time.
    from kefu.assist.emotion import screen

    sure = screen(last.text)
    return sure.as_dict() if sure is not None else None


def _soothing(conversation: Any, agent: Any) -> list[dict[str, Any]]:
    from kefu.knowledge.canned import picker_items
    from kefu.knowledge.models import CannedReply

    replies = {r.key: r for r in CannedReply.objects.filter(key__in=SOOTHE_KEYS, is_active=True)}
    return picker_items(conversation, agent, [replies[k] for k in SOOTHE_KEYS if k in replies])


@register.inclusion_tag("assist/_panel.html", takes_context=True)
def assist_panel(context: Any, conversation: Any) -> dict[str, Any]:
    from kefu.bot.choices import Intent
    from kefu.bot.models import BotSession

    session = BotSession.objects.select_related("article").filter(conversation=conversation).first()
    mood = _mood(conversation)
    upset = bool(mood and mood["emotion"] != Emotion.CALM)
    request = context.get("request")
    return {
        "conversation": conversation,
        "session": session,
        "intent_label": Intent(session.intent).label if session and session.intent in Intent.values else "",
        "mood": mood,
        "emotion_label": Emotion(mood["emotion"]).label if mood else "",
        "upset": upset,
        "soothing": _soothing(conversation, getattr(request, "user", None)) if upset else [],
    }


@register.inclusion_tag("assist/_suggest_panel.html", takes_context=True)
def assist_suggestions(context: Any, conversation: Any) -> dict[str, Any]:
    """The live-assist suggestions (kefu.assist.suggest) for ``conversation``: rendered with the page,
    refreshed by ``assist/suggest.js`` from ``web:assist-suggestions`` when a customer message arrives or
    its analysis is stored."""
    from kefu.assist.suggest import suggestions
    from kefu.assist.views import panel_context

    request = context.get("request")
    ctx, items = suggestions(conversation, getattr(request, "user", None))
    return panel_context(conversation, ctx, items)
