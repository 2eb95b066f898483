"""Live-chat parts of the agent workspace: the live inbox rows, the unread badge, picking
the next conversation from the queue, canned replies with their variables filled."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kefu.conversations import selectors as conv_selectors
from kefu.conversations.actions import check_pick_next
from kefu.conversations.choices import ConversationStatus
from kefu.conversations.models import Channel, Conversation
from kefu.conversations.router import LIVE_KINDS
from kefu.core import clock
from kefu.core.actions import has_perm
from kefu.core.errors import KefuError
from kefu.knowledge.canned import picker_items
from kefu.knowledge.selectors import canned_visible_to

DEFAULT_TARGETS = (15, 20)  # R5 greet within 15 s, R6 answer within 20 s


def chat_targets(conversation: Conversation) -> tuple[int, int]:
    """Greeting and reply targets in seconds, from the SLA policies when they exist."""
    try:
        from kefu.sla.selectors import chat_targets as sla_targets
    except ImportError:  # pragma: no cover - the SLA app ships with kefu
        return DEFAULT_TARGETS
    return sla_targets(conversation.channel.kind)


def canned_for(conversation: Conversation, agent: Any) -> list[dict[str, Any]]:
    """The canned replies this conversation's shop may use, variables filled in for it;
    what kefu cannot know yet (an order number…) stays as ``{订单号}`` for the agent."""
    replies = canned_visible_to(agent).order_by("category", "-usage_count", "key")  # company + team + own
    if conversation.channel.shop_id:
        replies = replies.filter(shop__isnull=True) | replies.filter(shop_id=conversation.channel.shop_id)
    else:
        replies = replies.filter(shop__isnull=True)
    return picker_items(conversation, agent, replies[:300])


def inbox_context(request: HttpRequest) -> dict[str, Any]:
    """What the inbox shows: the page of the chosen view and status, the tab counts."""
    view = request.GET.get("view", "mine")
    if view not in conv_selectors.INBOX_VIEWS:
        view = "mine"
    status = request.GET.get("status", "active")
    page = Paginator(conv_selectors.inbox(request.user, view, status=status), 50).get_page(request.GET.get("page"))
    return {
        "page": page,
        "counts": {**conv_selectors.inbox_counts(request.user), **conv_selectors.unread_for(request.user)},
        "now": clock.now(),
        "view": view,
        "status": status,
        "status_choices": ConversationStatus.choices,
        "can_pick": can_pick(request.user),
    }


@login_required
def inbox_rows(request: HttpRequest) -> HttpResponse:
    """The inbox table, re-fetched by the page when the inbox doorbell rings."""
    return render(request, "web/_inbox_rows.html", inbox_context(request))


@login_required
def unread_badge(request: HttpRequest) -> JsonResponse:
    return JsonResponse(conv_selectors.unread_for(request.user))  # type: ignore[arg-type]


@login_required
@require_POST
def pick_next(request: HttpRequest) -> HttpResponse:
    """Take the longest-waiting conversation of my teams' queues (any queue if I have no team)."""
    try:
        conversation = check_pick_next(actor=request.user)
    except KefuError as exc:
        messages.error(request, exc.message)
        return redirect("web:inbox")
    if conversation is None:
        messages.info(request, _("The queue is empty."))
        return redirect("web:inbox")
    return redirect("web:conversation", pk=conversation.pk)


def can_pick(user: Any) -> bool:
    return has_perm(user, "conversations.assign_conversation")


@login_required
def channels(request: HttpRequest) -> HttpResponse:
    """Where agents and admins find each channel: the widget's embed line, hours, routing."""
    rows = Channel.objects.select_related("shop", "team", "vip_team").order_by("kind", "name")
    return render(
        request,
        "web/channels.html",
        {
            "channels": rows,
            "base": f"{request.scheme}://{request.get_host()}",
            "can_edit": request.user.has_perm("conversations.change_channel"),
            "live_kinds": LIVE_KINDS,
        },
    )
