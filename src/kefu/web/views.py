"""The agent workspace: thin views — parse and authorise, call one action, render."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
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

from kefu.accounts.actions import check_set_presence, do_set_language
from kefu.accounts.models import Team, User
from kefu.accounts.selectors import user_for_token
from kefu.conversations import actions as conv_actions
from kefu.conversations import selectors as conv_selectors
from kefu.conversations.models import Attachment, Conversation
from kefu.conversations.router import LIVE_KINDS, ROUTING_REASONS, queue_position
from kefu.conversations.tasks import drain_queue
from kefu.conversations.transitions import AGENT_EVENTS, conversation_machine
from kefu.conversations.visitors import agent_opened
from kefu.core import clock, params
from kefu.core.actions import has_perm
from kefu.core.errors import ValidationFailed
from kefu.core.events import audit_trail
from kefu.customers import actions as customer_actions
from kefu.customers.choices import CustomerType, Gender, IdentityKind, VipTier
from kefu.customers.models import Customer
from kefu.customers.selectors import search_customers
from kefu.shops.models import Product
from kefu.web import chat
from kefu.web.helpers import assignee_and_team, attempt, back


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect("web:inbox")


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    return render(request, "web/inbox.html", chat.inbox_context(request))


@login_required
def conversation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = get_object_or_404(
        Conversation.objects.select_related("customer", "channel", "assignee", "team"), pk=pk
    )
    customer = conversation.customer
    last_event = conv_selectors.last_event_id(conversation.stream_key)  # before the timeline: no gap
    timeline = list(conv_selectors.timeline(conversation))
    if timeline:
        agent_opened(conversation, request.user, upto=timeline[-1].pk)
    greet_target, reply_target = chat.chat_targets(conversation)
    return render(
        request,
        "web/conversation.html",
        {
            "conversation": conversation,
            "customer": customer,
            "timeline": timeline,
            "last_event": last_event,
            "canned_replies": chat.canned_for(conversation, request.user),
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
            "now": clock.now(),
        },
    )


@login_required
@require_POST
def conversation_reply(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = get_object_or_404(Conversation, pk=pk)
    text = request.POST.get("text", "")
    files = request.FILES.getlist("attachments")
    if request.POST.get("internal"):
        attempt(
            request,
            lambda: conv_actions.check_add_note(
                conversation, text, actor=request.user, client_id=request.POST.get("client_id", "")
            ),
        )
    else:
        attempt(
            request,
            lambda: conv_actions.check_send_reply(
                conversation, text, actor=request.user, client_id=request.POST.get("client_id", ""), attachments=files
            ),
        )
    return redirect(reverse("web:conversation", args=[pk]) + "#composer")


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
    return redirect("web:conversation", pk=pk)


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
    return redirect("web:conversation", pk=pk)


@login_required
@require_POST
def conversation_classify(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = get_object_or_404(Conversation, pk=pk)
    fields = {k: request.POST[k] for k in ("service_class", "stage", "priority") if k in request.POST}
    attempt(request, lambda: conv_actions.check_classify(conversation, actor=request.user, **fields), _("Saved."))
    return redirect("web:conversation", pk=pk)


@login_required
def customer_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    page = Paginator(search_customers(query).prefetch_related("identities", "tags"), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "web/customers.html", {"page": page, "q": query})


@login_required
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_object_or_404(Customer.objects.select_related("owner", "merged_into"), pk=pk)
    if customer.merged_into_id:
        messages.info(request, _("This customer was merged; showing the customer it was merged into."))
        return redirect("web:customer", pk=customer.merged_into_id)
    return render(
        request,
        "web/customer.html",
        {
            "customer": customer,
            "identities": customer.identities.all(),
            "addresses": customer.addresses.all(),
            "remarks": customer.remarks.select_related("author")[:50],
            "conversations": customer.conversations.select_related("channel", "assignee").order_by("-last_message_at")[
                :30
            ],
            "tickets": customer.tickets.select_related("assignee").order_by("-updated_at")[:30],
            "usual_products": customer.usual_products.all(),
            "trail": audit_trail(customer).order_by("-created_at")[:20],
            "choices": {
                "gender": Gender.choices,
                "customer_type": CustomerType.choices,
                "vip_tier": VipTier.choices,
                "identity_kind": IdentityKind.choices,
            },
            "salespeople": User.objects.filter(is_active=True, groups__name="sales").order_by("username"),
            "products": Product.objects.select_related("shop").order_by("shop__code", "sku"),
            "can": {
                "edit": has_perm(request.user, "customers.change_customer"),
                "vip": has_perm(request.user, "customers.set_vip_tier"),
                "owner": has_perm(request.user, "customers.assign_owner"),
                "merge": has_perm(request.user, "customers.merge_customers"),
            },
        },
    )


def _customer_op(request: HttpRequest, customer: Customer, op: str) -> Any:
    """One customer action per form of the customer page."""
    post, actor = request.POST, request.user
    if op == "profile":
        fields = {
            k: post.get(k, "") for k in ("name", "gender", "salutation", "company", "customer_type", "usual_courier")
        }
        fields["score"] = post.get("score", "0") or "0"
        return customer_actions.check_update_customer(customer, actor=actor, **fields)
    if op == "tags":
        names = post.get("tags", "").replace("，", ",").split(",")
        return customer_actions.check_set_tags(customer, names, actor=actor)
    if op == "products":
        chosen = Product.objects.filter(pk__in=[p for p in post.getlist("products") if params.is_digits(p)])
        return customer_actions.check_set_usual_products(customer, chosen, actor=actor)
    if op == "vip":
        tier = post.get("vip_tier", "")
        if not params.is_digits(tier, max_digits=3):
            raise ValidationFailed(_("Unknown VIP tier."))
        return customer_actions.check_set_vip_tier(customer, int(tier), actor=actor)
    if op == "owner":
        owner_id = post.get("owner", "")
        owner = User.objects.filter(pk=owner_id).first() if params.is_digits(owner_id) else None
        return customer_actions.check_assign_owner(customer, owner, actor=actor)
    if op == "identity":
        return customer_actions.check_add_identity(customer, post.get("kind", ""), post.get("value", ""), actor=actor)
    if op == "address":
        return customer_actions.check_add_address(
            customer,
            actor=actor,
            is_default=bool(post.get("is_default")),
            **{k: post.get(k, "") for k in ("name", "phone", "province", "city", "district", "detail")},
        )
    if op == "merge":
        source_id = post.get("source", "").lstrip("#")
        source = Customer.objects.filter(pk=source_id).first() if params.is_digits(source_id) else None
        if source is None:
            raise ValidationFailed(_("No customer with that number."))
        return customer_actions.check_merge_customers(source, customer, actor=actor)
    raise ValidationFailed(_("Unknown action “%(event)s”.") % {"event": op})


@login_required
@require_POST
def customer_update(request: HttpRequest, pk: int, op: str) -> HttpResponse:
    customer = get_object_or_404(Customer, pk=pk)
    attempt(request, lambda: _customer_op(request, customer, op), _("Saved."))
    return redirect("web:customer", pk=pk)


@login_required
@require_POST
def customer_remark(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_object_or_404(Customer, pk=pk)
    attempt(
        request,
        lambda: customer_actions.check_add_remark(customer, request.POST.get("text", ""), actor=request.user),
        _("Remark saved."),
    )
    return back(request, reverse("web:customer", args=[pk]))


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


@login_required
@require_POST
def presence(request: HttpRequest) -> HttpResponse:
    if attempt(request, lambda: check_set_presence(request.user, request.POST.get("presence", ""), actor=request.user)):
        drain_queue.on_commit()  # an agent who comes online takes waiting chats
    return back(request, reverse("web:inbox"))


@require_POST
def language(request: HttpRequest) -> HttpResponse:
    """Switch the UI language; remembered on the agent's account and in a cookie."""
    code = request.POST.get("language", "")
    response = back(request, reverse("web:inbox"))
    if code not in dict(settings.LANGUAGES):
        messages.error(request, _("Unknown language."))
        return response
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    if request.user.is_authenticated:
        do_set_language(request.user, code)
    return response
