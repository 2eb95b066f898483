"""The conversation pages of the workspace: the inbox, a conversation with its composer, its
status, assignment and classification forms, the attachment download, and the live-chat parts
(live inbox rows, the unread badge, pick-next, canned replies with their variables filled, the
Channels page).  Thin views: parse and authorise, call one action, render."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kefu.accounts.models import Team, User
from kefu.accounts.pages import assignee_and_team
from kefu.accounts.selectors import user_for_token
from kefu.conversations import actions as conv_actions
from kefu.conversations import selectors as conv_selectors
from kefu.conversations.actions import check_pick_next
from kefu.conversations.choices import ConversationStatus
from kefu.conversations.cockpit import cockpit, first_public_text, with_preview
from kefu.conversations.collab import participants
from kefu.conversations.models import Attachment, Channel, Conversation
from kefu.conversations.router import LIVE_KINDS, ROUTING_REASONS, queue_position
from kefu.conversations.transitions import AGENT_EVENTS, conversation_machine
from kefu.conversations.visitors import agent_opened
from kefu.core import clock, params
from kefu.core.actions import has_perm
from kefu.core.errors import KefuError
from kefu.core.pages import attempt, back
from kefu.knowledge.canned import picker_items
from kefu.knowledge.selectors import canned_visible_to

__all__ = ["cockpit"]  # kefu.web.home renders it on "/" for agents

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
    # every tab counts chats; the queue beside 'Pick next' counts the waiting ones
    counts = {**conv_selectors.inbox_counts(request.user), "queue": conv_selectors.unread_for(request.user)["queue"]}
    rows = with_preview(conv_selectors.inbox(request.user, view, status=status))
    page = Paginator(rows.annotate(first_text=first_public_text()), 50).get_page(request.GET.get("page"))
    for c in page:  # a chat's subject is its first message: then only the last message is worth a column
        c.own_subject = bool(c.subject) and c.subject != " ".join((c.first_text or "").split())[:40]
    return {
        "page": page,
        "counts": counts,
        "now": clock.now(),
        "view": view,
        "status": status,
        "status_choices": ConversationStatus.choices,
        "can_pick": can_pick(request.user),
    }


@login_required
def inbox_rows(request: HttpRequest) -> HttpResponse:
    """The inbox table, re-fetched by the page when the inbox doorbell rings."""
    return render(request, "conversations/_inbox_rows.html", inbox_context(request))


@login_required
def unread_badge(request: HttpRequest) -> JsonResponse:
    return JsonResponse(conv_selectors.unread_for(request.user))  # type: ignore[arg-type]


@login_required
@require_POST
def pick_next(request: HttpRequest) -> HttpResponse:
    """Take the longest-waiting conversation of my teams' queues (any queue if I have no team)."""
    from_cockpit = request.POST.get("next") == reverse("web:home")  # the cockpit's queue: stay in it
    try:
        conversation = check_pick_next(actor=request.user)
    except KefuError as exc:
        messages.error(request, exc.message)
        return redirect("web:home" if from_cockpit else "web:inbox")
    if conversation is None:
        messages.info(request, _("The queue is empty."))
        return redirect("web:home" if from_cockpit else "web:inbox")
    if from_cockpit:
        return redirect(reverse("web:home") + f"?c={conversation.pk}")
    return redirect("web:conversation", pk=conversation.pk)


def can_pick(user: Any) -> bool:
    return has_perm(user, "conversations.assign_conversation")


@login_required
def channels(request: HttpRequest) -> HttpResponse:
    """Where agents and admins find each channel: the widget's embed line, hours, routing."""
    rows = Channel.objects.select_related("shop", "team", "vip_team").order_by("kind", "name")
    return render(
        request,
        "conversations/channels.html",
        {
            "channels": rows,
            "base": f"{request.scheme}://{request.get_host()}",
            "can_edit": request.user.has_perm("conversations.change_channel"),
            "live_kinds": LIVE_KINDS,
        },
    )


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    return render(request, "conversations/inbox.html", inbox_context(request))


def conversation_context(request: HttpRequest, conversation: Conversation, *, back_url: str = "") -> dict[str, Any]:
    """What the conversation page and the cockpit's thread and customer panes show.  Opening it
    marks the customer's messages read by the agent.  ``back_url``: where the pane's forms return
    (the cockpit, ``/?c=<id>``); empty on the conversation's own page."""
    customer = conversation.customer
    last_event = conv_selectors.last_event_id(conversation.stream_key)  # before the timeline: no gap
    timeline = list(conv_selectors.timeline(conversation))
    if timeline:
        agent_opened(conversation, request.user, upto=timeline[-1].pk)
    greet_target, reply_target = chat_targets(conversation)
    return {
        "conversation": conversation,
        "customer": customer,
        "timeline": timeline,
        "last_event": last_event,
        "canned_replies": canned_for(conversation, request.user),
        "targets": {"greet": greet_target, "reply": reply_target},
        "live": conversation.channel.kind in LIVE_KINDS,
        "routing_reason": ROUTING_REASONS.get(str(conversation.routing.get("reason", "")), ""),
        "queue_position": queue_position(conversation),
        "events": [e for e in AGENT_EVENTS if conversation_machine.can(conversation.status, e)],
        "agents": User.objects.filter(is_active=True).order_by("username"),
        "teams": Team.objects.all(),
        "other_conversations": customer.conversations.exclude(pk=conversation.pk).order_by("-last_message_at")[:10],
        "tickets": customer.tickets.order_by("-updated_at")[:10],
        "can_reply": has_perm(request.user, "conversations.reply_conversation"),
        "can_assign": has_perm(request.user, "conversations.assign_conversation"),
        "can_whisper": has_perm(request.user, "accounts.manage_agents"),
        "participants": participants(conversation),
        "back_url": back_url,
        "now": clock.now(),
    }


def load_conversation(pk: int) -> Conversation:
    return get_object_or_404(Conversation.objects.select_related("customer", "channel", "assignee", "team"), pk=pk)


@login_required
def conversation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = load_conversation(pk)
    return render(request, "conversations/conversation.html", conversation_context(request, conversation))


def _fetched(request: HttpRequest) -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


@login_required
@require_POST
def conversation_reply(request: HttpRequest, pk: int) -> HttpResponse:
    """A reply or an internal note from the form.  The cockpit posts it with fetch (a reply with
    attachments): it gets JSON — ``{"message": id}`` or the house error shape — instead of a page."""
    conversation = get_object_or_404(Conversation, pk=pk)
    text = request.POST.get("text", "")
    files = request.FILES.getlist("attachments")
    client_id = request.POST.get("client_id", "")

    def send() -> Any:
        if request.POST.get("internal"):
            return conv_actions.check_add_note(conversation, text, actor=request.user, client_id=client_id)
        return conv_actions.check_send_reply(
            conversation, text, actor=request.user, client_id=client_id, attachments=files
        )

    if _fetched(request):
        try:
            message, _created = send()
        except KefuError as exc:
            return JsonResponse(exc.as_dict(), status=exc.status)
        return JsonResponse({"message": message.pk, "conversation": pk})
    attempt(request, send)
    return back(request, reverse("web:conversation", args=[pk]) + "#composer")


@login_required
@require_POST
def conversation_status(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = get_object_or_404(Conversation, pk=pk)
    event = request.POST.get("event", "")
    until = None
    if event == "snooze":
        hours = request.POST.get("hours", "4")
        until = clock.now() + timedelta(hours=min(int(hours), 24 * 30) if params.is_digits(hours) else 4)
    attempt(
        request,
        lambda: conv_actions.check_transition(conversation, event, actor=request.user, snooze_until=until),
        _("Done."),
    )
    return back(request, reverse("web:conversation", args=[pk]))


@login_required
@require_POST
def conversation_assign(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = get_object_or_404(Conversation, pk=pk)
    assignee, team = assignee_and_team(request)
    attempt(
        request,
        lambda: conv_actions.check_assign(
            conversation, actor=request.user, assignee=assignee, team=team, note=request.POST.get("note", "")
        ),
        _("Assigned."),
    )
    return back(request, reverse("web:conversation", args=[pk]))


@login_required
@require_POST
def conversation_classify(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = get_object_or_404(Conversation, pk=pk)
    fields = {k: request.POST[k] for k in ("service_class", "stage", "priority") if k in request.POST}
    attempt(request, lambda: conv_actions.check_classify(conversation, actor=request.user, **fields), _("Saved."))
    return back(request, reverse("web:conversation", args=[pk]))


def attachment(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Download an attachment, with the content type its bytes were checked as.  Non-images
    download instead of rendering, and nothing may run inside (CSP sandbox).

    Who: signed-in staff (the browser) or an API client with a bearer token (the API hands out
    these urls in a message's ``attachments``), each needing the right to read conversations.
    A request that sends ``Authorization`` is an API client: a bad or revoked token is a 401 in
    the house shape, never the login page, and the session cookie is not used for it."""
    user: Any = request.user
    header = request.headers.get("Authorization")
    if header is not None:
        raw = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
        user = user_for_token(raw)
        if user is None:
            refused = JsonResponse({"error": "unauthorized", "message": _("Authentication required.")}, status=401)
            refused["WWW-Authenticate"] = 'Bearer realm="kefu"'
            return refused
    elif not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    item = get_object_or_404(Attachment, pk=pk)
    if not has_perm(user, "conversations.view_conversation"):
        raise Http404
    response = FileResponse(
        item.file.open("rb"), content_type=item.content_type, as_attachment=not item.is_image, filename=item.name
    )
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'"
    response["Cache-Control"] = "private, max-age=3600"
    patch_vary_headers(response, ("Authorization", "Cookie"))
    return response
