"""The agent's cockpit on ``/`` (issue 15, docs/cockpit.md): three panes — the chats that need me on
the left, the thread and composer in the middle, the customer and the assist panel on the right.

The page is rendered once; switching chats fetches ``conversation_pane`` (the thread and the side
panel of one chat) and the list re-fetches ``cockpit_list`` when the inbox doorbell rings
(``kefu/web/static/kefu/workspace.js``, ``conversations/static/conversations/cockpit.js``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kefu.accounts.models import Team, User
from kefu.conversations import collab
from kefu.conversations.models import Conversation, Message, Participant
from kefu.conversations.router import LIVE_KINDS
from kefu.conversations.selectors import ACTIVE
from kefu.core import clock, params
from kefu.core.actions import has_perm
from kefu.core.pages import attempt, back
from kefu.customers.choices import VipTier

LIST_LIMIT = 50  # rows per section; the list stays fluid with 30 chats and more


def _last_public(field: str) -> Subquery:
    return Subquery(
        Message.objects.filter(conversation=OuterRef("pk"), is_internal=False)
        .exclude(author_kind="system")
        .order_by("-id")
        .values(field)[:1]
    )


def first_public_text() -> Subquery:
    return Subquery(
        Message.objects.filter(conversation=OuterRef("pk"), is_internal=False)
        .exclude(author_kind="system")
        .order_by("id")
        .values("text")[:1]
    )


def with_preview(qs: QuerySet[Conversation]) -> QuerySet[Conversation]:
    """Annotate the last public message (its text and who wrote it): the one-line preview."""
    return qs.annotate(preview=_last_public("text"), preview_kind=_last_public("author_kind"))


def _with_mood(qs: QuerySet[Conversation]) -> QuerySet[Conversation]:
    from kefu.assist.models import MessageEmotion

    return qs.annotate(
        emotion=Subquery(
            MessageEmotion.objects.filter(conversation=OuterRef("pk")).order_by("-message_id").values("emotion")[:1]
        )
    )


def _rows(qs: QuerySet[Conversation]) -> QuerySet[Conversation]:
    unread = Count(
        "messages",
        filter=Q(messages__author_kind="customer", messages__is_internal=False, messages__id__gt=F("agent_read_upto")),
    )
    return _with_mood(
        with_preview(
            qs.select_related("customer", "channel", "assignee").filter(status__in=ACTIVE).annotate(unread=unread)
        )
    )


def need_order(rows: list[Conversation], now: datetime) -> list[Conversation]:
    """Who needs me most first: waiting longest, then unread, angry, VIP; then the latest."""

    def key(c: Conversation) -> tuple[Any, ...]:
        waiting = c.waiting_since
        return (
            waiting is None,
            waiting or now,
            -int(getattr(c, "unread", 0) or 0),
            getattr(c, "emotion", "") != "angry",
            -int(c.customer.vip_tier or VipTier.NONE),
            -(c.last_message_at or c.created_at).timestamp(),
        )

    return sorted(rows, key=key)


def _timer(c: Conversation, targets: dict[str, tuple[int, int]]) -> dict[str, Any] | None:
    """One timer per row: greet within 15 s until the first agent reply, then answer within 20 s
    while the customer waits."""
    kind = c.channel.kind
    if kind not in LIVE_KINDS:
        return None
    if kind not in targets:
        from kefu.conversations.views import chat_targets

        targets[kind] = chat_targets(c)
    greet, reply = targets[kind]
    if c.first_agent_reply_at is None and c.waiting_since is not None:
        return {"kind": "greet", "since": c.created_at, "target": greet}
    if c.waiting_since is not None:
        return {"kind": "reply", "since": c.waiting_since, "target": reply}
    return None


def cockpit_context(user: Any) -> dict[str, Any]:
    """My active chats (assigned to me or joined as a participant) and the queue I may take."""
    now = clock.now()
    joined = Participant.objects.filter(user=user).values("conversation")
    mine = need_order(list(_rows(Conversation.objects.filter(Q(assignee=user) | Q(pk__in=joined)))[:LIST_LIMIT]), now)
    queue: list[Conversation] = []
    can_take = has_perm(user, "conversations.assign_conversation")
    if can_take:
        waiting = Conversation.objects.filter(assignee__isnull=True, queued_at__isnull=False)
        teams = list(user.teams.all())
        if teams:
            waiting = waiting.filter(Q(team__in=teams) | Q(team__isnull=True))
        queue = need_order(list(_rows(waiting)[:LIST_LIMIT]), now)
    targets: dict[str, tuple[int, int]] = {}
    for c in (*mine, *queue):
        c.timer = _timer(c, targets)  # type: ignore[attr-defined]
    return {
        "mine": mine,
        "queue": queue,
        "can_take": can_take,
        "unread_total": sum(c.unread for c in (*mine, *queue)),  # type: ignore[attr-defined]
        "now": now,
    }


@login_required
def cockpit(request: HttpRequest) -> HttpResponse:
    """``/`` for agents.  ``?c=<id>`` opens that chat in the middle pane."""
    context = cockpit_context(request.user)
    chosen = request.GET.get("c", "")
    if params.is_digits(chosen):
        from kefu.conversations.views import conversation_context, load_conversation

        conversation = load_conversation(int(chosen))
        context.update(conversation_context(request, conversation, back_url=_back(conversation.pk)))
    return render(request, "conversations/cockpit.html", context)


def _back(pk: int) -> str:
    return reverse("web:home") + f"?c={pk}"


@login_required
@require_GET
def cockpit_list(request: HttpRequest) -> HttpResponse:
    return render(request, "conversations/_cockpit_list.html", cockpit_context(request.user))


@login_required
@require_GET
def conversation_pane(request: HttpRequest, pk: int) -> HttpResponse:
    """The thread and the customer panel of one chat, for the cockpit to swap in without a page load."""
    from kefu.conversations.views import conversation_context, load_conversation

    conversation = load_conversation(pk)
    back_url = "" if request.GET.get("standalone") else _back(pk)  # the conversation's own page refreshes too
    return render(request, "conversations/_pane.html", conversation_context(request, conversation, back_url=back_url))


def _colleague(value: str) -> User | None:
    return User.objects.filter(pk=value, is_active=True).first() if params.is_digits(value) else None


@login_required
@require_POST
def conversation_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = get_object_or_404(Conversation, pk=pk)
    team_id = request.POST.get("team", "")
    team = Team.objects.filter(pk=team_id).first() if params.is_digits(team_id) else None
    attempt(
        request,
        lambda: collab.check_transfer(
            conversation,
            actor=request.user,
            assignee=_colleague(request.POST.get("assignee", "")),
            team=team,
            note=request.POST.get("note", ""),
        ),
        _("Transferred."),
    )
    return back(request, reverse("web:conversation", args=[pk]))


@login_required
@require_POST
def conversation_invite(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = get_object_or_404(Conversation, pk=pk)
    attempt(
        request,
        lambda: collab.check_invite(
            conversation,
            _colleague(request.POST.get("user", "")),
            actor=request.user,
            note=request.POST.get("note", ""),
        ),
        _("Colleague invited."),
    )
    return back(request, reverse("web:conversation", args=[pk]))


@login_required
@require_POST
def conversation_whisper(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = get_object_or_404(Conversation, pk=pk)
    attempt(
        request,
        lambda: collab.check_whisper(conversation, request.POST.get("text", ""), actor=request.user),
        _("Sent."),
    )
    return back(request, reverse("web:conversation", args=[pk]))
