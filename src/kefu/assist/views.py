"""Workspace endpoints of the assist app: the live-assist suggestions of one conversation, as the
panel's HTML fragment (the cockpit's right pane loads and refreshes it) or as JSON (``?format=json``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from kefu.assist.choices import Emotion
from kefu.assist.suggest import suggestions
from kefu.conversations.models import Conversation
from kefu.core.actions import has_perm
from kefu.core.choices import Stage


@login_required
@require_GET
def conversation_suggestions(request: HttpRequest, pk: int) -> HttpResponse:
    if not (has_perm(request.user, "conversations.view_conversation") and has_perm(request.user, "assist.use_assist")):
        raise PermissionDenied("assist.use_assist")
    conversation = get_object_or_404(Conversation.objects.select_related("customer", "channel__shop"), pk=pk)
    ctx, items = suggestions(conversation, request.user)
    if request.GET.get("format") == "json":
        return JsonResponse(
            {
                "conversation": conversation.pk,
                "emotion": ctx.emotion,
                "intent": ctx.intent,
                "stage": ctx.stage,
                "analysed": ctx.analysed,
                "suggestions": [s.as_dict() for s in items],
            }
        )
    return render(request, "assist/_suggestions.html", panel_context(conversation, ctx, items))


def panel_context(conversation: Conversation, ctx: object, items: list) -> dict[str, object]:
    from kefu.bot.choices import Intent

    emotion = getattr(ctx, "emotion", "")
    intent = getattr(ctx, "intent", "")
    stage = getattr(ctx, "stage", "")
    return {
        "conversation": conversation,
        "ctx": ctx,
        "suggestions": items,
        "emotion_label": Emotion(emotion).label if emotion in Emotion.values else "",
        "intent_label": Intent(intent).label if intent in Intent.values else "",
        "stage_label": Stage(stage).label if stage in Stage.values else "",
    }
