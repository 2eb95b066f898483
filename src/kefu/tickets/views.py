"""Ticket pages of the workspace (list with filters, saved views and bulk actions; the detail
page with one timeline): thin views — parse and authorise, call actions, render."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from kefu.accounts.models import Team, User
from kefu.accounts.pages import assignee_and_team
from kefu.automation.actions import check_apply_macro
from kefu.automation.models import Macro
from kefu.conversations.choices import ChannelKind
from kefu.conversations.models import Conversation
from kefu.core import clock, params
from kefu.core.actions import has_perm, require
from kefu.core.errors import KefuError, ValidationFailed
from kefu.core.models import Notification
from kefu.core.pages import attempt
from kefu.customers.models import Customer
from kefu.sla.models import SlaTimer
from kefu.tickets import actions as ticket_actions
from kefu.tickets import selectors
from kefu.tickets.choices import TicketStatus
from kefu.tickets.forms import TicketForm
from kefu.tickets.models import SavedView, Ticket, TicketField
from kefu.tickets.timeline import timeline
from kefu.tickets.transitions import EVENT_PERMISSION, ticket_machine

SHANGHAI = ZoneInfo("Asia/Shanghai")


@login_required
def ticket_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "tickets.view_ticket")
    filters = selectors.Filters.from_query(request.GET)
    now = clock.now()
    page = Paginator(selectors.filtered(request.user, filters, now), 50).get_page(request.GET.get("page"))
    views = SavedView.objects.filter(Q(owner=request.user) | Q(shared=True)).select_related("owner")
    return render(
        request,
        "tickets/list.html",
        {
            "page": page,
            "f": filters.values,
            "view": filters.values["view"],
            "status": filters.values["status"],
            "query": filters.query_string(),
            "active_filters": filters.active,
            "saved_views": views,
            "now": now,
            "agents": User.objects.filter(is_active=True).order_by("username"),
            "teams": Team.objects.all(),
            "events": [e for e in ticket_machine.events if e in EVENT_PERMISSION],
            "can_share": has_perm(request.user, "tickets.assign_ticket"),
            "status_choices": TicketStatus.choices,
            "channel_choices": ChannelKind.choices,
        },
    )


@login_required
@require_POST
def ticket_bulk(request: HttpRequest) -> HttpResponse:
    """Apply one action to the selected tickets; each goes through its own checked action."""
    ids = [int(i) for i in request.POST.getlist("ids") if params.is_digits(i)]
    op = request.POST.get("op", "")
    back = reverse("web:tickets") + ("?" + request.POST.get("query", "") if request.POST.get("query") else "")
    if not ids or not op:
        messages.error(request, _("Choose tickets and an action."))
        return HttpResponseRedirect(back)
    kind, _sep, value = op.partition(":")
    done, failed = 0, []
    for ticket in Ticket.objects.filter(pk__in=ids[:200]):
        try:
            _bulk_one(request, ticket, kind, value)
            done += 1
        except KefuError as exc:
            failed.append(f"#{ticket.pk}: {exc.message}")
    if done:
        messages.success(request, ngettext("%(n)s ticket changed.", "%(n)s tickets changed.", done) % {"n": done})
    for problem in failed[:5]:
        messages.error(request, problem)
    return HttpResponseRedirect(back)


def _bulk_one(request: HttpRequest, ticket: Ticket, kind: str, value: str) -> None:
    actor = request.user
    if kind == "assign":
        user = actor if value == "me" else User.objects.filter(pk=value, is_active=True).first()
        if user is None:
            raise ValidationFailed(_("There is no such active agent."))
        ticket_actions.check_assign_ticket(ticket, actor=actor, assignee=user, team=ticket.team)
    elif kind == "event":
        ticket_actions.check_transition_ticket(ticket, value, actor=actor)
    elif kind == "priority":
        ticket_actions.check_update_ticket(ticket, actor=actor, priority=value)
    elif kind == "tag":
        tag = request.POST.get("tag", "").strip()
        ticket_actions.check_set_tags(ticket, [*ticket_actions.tag_list(ticket), tag], actor=actor)
    else:
        raise ValidationFailed(_("Unknown action “%(event)s”.") % {"event": kind})


@login_required
@require_POST
def saved_view_save(request: HttpRequest) -> HttpResponse:
    query = request.POST.get("query", "")
    attempt(
        request,
        lambda: ticket_actions.check_save_view(
            actor=request.user, name=request.POST.get("name", ""), query=query, shared=bool(request.POST.get("shared"))
        ),
        _("View saved."),
    )
    return HttpResponseRedirect(reverse("web:tickets") + ("?" + query if query else ""))


@login_required
@require_POST
def saved_view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    view = get_object_or_404(SavedView, pk=pk)
    attempt(request, lambda: ticket_actions.check_delete_view(view, actor=request.user), _("View deleted."))
    return redirect("web:tickets")


@login_required
def ticket_new(request: HttpRequest) -> HttpResponse:
    conversation = None
    if params.is_digits(request.GET.get("conversation", "")):
        conversation = Conversation.objects.filter(pk=request.GET["conversation"]).select_related("customer").first()
    customer = conversation.customer if conversation else None
    if customer is None and params.is_digits(request.GET.get("customer", "")):
        customer = Customer.objects.filter(pk=request.GET["customer"]).first()
    form = TicketForm(request.POST or None, initial={"subject": conversation.subject if conversation else ""})
    # Opened from the menu: first find the customer (no dead end with a disabled button).
    query = request.GET.get("q", "").strip()[:100]
    matches: list[Customer] = []
    if customer is None and query:
        from kefu.customers.selectors import search_customers

        matches = list(search_customers(query)[:20])
    if request.method == "POST" and customer is not None and form.is_valid():
        created: list[Ticket] = []
        ok = attempt(
            request,
            lambda: created.append(
                ticket_actions.check_create_ticket(
                    customer,
                    actor=request.user,
                    conversation=conversation,
                    team=conversation.team if conversation else None,
                    source=conversation.channel.kind if conversation else "",
                    **form.cleaned_data,
                )
            ),
        )
        if ok:
            return redirect("web:ticket", pk=created[0].pk)
    return render(
        request,
        "tickets/new.html",
        {"form": form, "customer": customer, "conversation": conversation, "q": query, "matches": matches},
    )


@login_required
def ticket_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "tickets.view_ticket")
    ticket = get_object_or_404(
        Ticket.objects.select_related("customer", "assignee", "team", "conversation", "sla_policy", "parent"), pk=pk
    )
    now = clock.now()
    events = [
        e
        for e in ticket_machine.allowed_events(ticket.status)
        if e in EVENT_PERMISSION and has_perm(request.user, EVENT_PERMISSION[e])
    ]
    fields = list(TicketField.objects.filter(ticket_type=ticket.type))
    return render(
        request,
        "tickets/detail.html",
        {
            "ticket": ticket,
            "now": now,
            "events": events,
            "timeline": timeline(ticket, now=now),
            "timers": SlaTimer.objects.filter(ticket=ticket).order_by("id"),
            "fields": [(f, ticket.custom.get(f.key, "")) for f in fields],
            "children": ticket.children.all(),
            "related": _related(ticket),
            "macros": Macro.objects.filter(is_active=True),
            "agents": User.objects.filter(is_active=True).order_by("username"),
            "teams": Team.objects.all(),
            "tags": ticket_actions.tag_list(ticket),
            "can_merge": has_perm(request.user, "tickets.merge_tickets"),
            "appointment_local": ticket.appointment_at.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")
            if ticket.appointment_at
            else "",
        },
    )


def _related(ticket: Ticket) -> list[Ticket]:
    out = Ticket.objects.filter(links_in__source=ticket)
    into = Ticket.objects.filter(links_out__target=ticket)
    return list((out | into).distinct().order_by("id"))


def _ticket_post(
    request: HttpRequest, pk: int, fn: Callable[[Ticket], Any], success: str | None = None
) -> HttpResponseRedirect:
    ticket = get_object_or_404(Ticket, pk=pk)
    attempt(request, lambda: fn(ticket), success)
    return HttpResponseRedirect(reverse("web:ticket", args=[pk]))


@login_required
@require_POST
def ticket_event(request: HttpRequest, pk: int) -> HttpResponse:
    return _ticket_post(
        request,
        pk,
        lambda t: ticket_actions.check_transition_ticket(
            t, request.POST.get("event", ""), actor=request.user, reason=request.POST.get("reason", "")
        ),
        _("Done."),
    )


@login_required
@require_POST
def ticket_update(request: HttpRequest, pk: int) -> HttpResponse:
    fields = {k: request.POST[k] for k in ("subject", "type", "priority", "stage") if k in request.POST}
    return _ticket_post(
        request, pk, lambda t: ticket_actions.check_update_ticket(t, actor=request.user, **fields), _("Saved.")
    )


@login_required
@require_POST
def ticket_remark(request: HttpRequest, pk: int) -> HttpResponse:
    return _ticket_post(
        request,
        pk,
        lambda t: ticket_actions.check_add_ticket_remark(t, request.POST.get("text", ""), actor=request.user),
    )


@login_required
@require_POST
def ticket_assign(request: HttpRequest, pk: int) -> HttpResponse:
    assignee, team = assignee_and_team(request)
    return _ticket_post(
        request,
        pk,
        lambda t: ticket_actions.check_assign_ticket(t, actor=request.user, assignee=assignee, team=team),
        _("Assigned."),
    )


@login_required
@require_POST
def ticket_tags(request: HttpRequest, pk: int) -> HttpResponse:
    tags = request.POST.get("tags", "").replace("，", ",").split(",")
    return _ticket_post(request, pk, lambda t: ticket_actions.check_set_tags(t, tags, actor=request.user), _("Saved."))


@login_required
@require_POST
def ticket_fields(request: HttpRequest, pk: int) -> HttpResponse:
    values = {k.removeprefix("cf_"): v for k, v in request.POST.items() if k.startswith("cf_")}
    return _ticket_post(
        request, pk, lambda t: ticket_actions.check_set_custom_fields(t, values, actor=request.user), _("Saved.")
    )


def _local_time(value: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(_("Enter a date and time.")) from None
    parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=SHANGHAI)
    return params.moment(parsed.isoformat())  # type: ignore[no-any-return]  # sane years and offsets


@login_required
@require_POST
def ticket_sla(request: HttpRequest, pk: int) -> HttpResponse:
    """The SLA card: record a contact with the customer, set the agreed on-site time, record arrival."""
    op = request.POST.get("op", "")

    def run(ticket: Ticket) -> Any:
        if op == "contact":
            return ticket_actions.check_record_contact(ticket, actor=request.user, how=request.POST.get("how", "phone"))
        if op == "appointment":
            when = _local_time(request.POST.get("appointment_at", ""))
            return ticket_actions.check_set_appointment(ticket, when, actor=request.user)
        if op == "arrived":
            return ticket_actions.check_record_arrival(ticket, actor=request.user)
        raise ValidationFailed(_("Unknown action “%(event)s”.") % {"event": op})

    return _ticket_post(request, pk, run, _("Saved."))


def _other(request: HttpRequest) -> Ticket:
    number = request.POST.get("other", "").strip().lstrip("#")
    other = Ticket.objects.filter(pk=int(number)).first() if params.is_digits(number) else None
    if other is None:
        raise ValidationFailed(_("There is no ticket #%(id)s.") % {"id": number})
    return other


@login_required
@require_POST
def ticket_link(request: HttpRequest, pk: int) -> HttpResponse:
    kind = request.POST.get("kind", "related")
    return _ticket_post(
        request,
        pk,
        lambda t: ticket_actions.check_link_tickets(t, _other(request), actor=request.user, kind=kind),
        _("Saved."),
    )


@login_required
@require_POST
def ticket_merge(request: HttpRequest, pk: int) -> HttpResponse:
    source = get_object_or_404(Ticket, pk=pk)
    target: list[Ticket] = []
    ok = attempt(
        request,
        lambda: target.append(ticket_actions.check_merge_tickets(source, _other(request), actor=request.user)),
        _("Merged."),
    )
    return redirect("web:ticket", pk=target[0].pk if ok else pk)


@login_required
@require_POST
def ticket_split(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = get_object_or_404(Ticket, pk=pk)
    created: list[Ticket] = []
    ok = attempt(
        request,
        lambda: created.append(
            ticket_actions.check_split_ticket(
                ticket,
                actor=request.user,
                subject=request.POST.get("subject", ""),
                description=request.POST.get("description", ""),
            )
        ),
        _("A new ticket was split off."),
    )
    return redirect("web:ticket", pk=created[0].pk if ok else pk)


@login_required
@require_POST
def ticket_macro(request: HttpRequest, pk: int) -> HttpResponse:
    macro_id = request.POST.get("macro", "")
    macro = Macro.objects.filter(pk=macro_id).first() if params.is_digits(macro_id) else None
    if macro is None:
        messages.error(request, _("Choose a macro."))
        return redirect("web:ticket", pk=pk)
    return _ticket_post(request, pk, lambda t: check_apply_macro(t, macro, actor=request.user), _("Done."))


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """The agent's in-app notifications: SLA warnings and breaches, @mentions, automation reminders."""
    require(request.user, "tickets.view_ticket")
    qs = Notification.objects.filter(user=request.user).select_related("ticket")
    unread = request.GET.get("all") != "1"
    if unread:
        qs = qs.filter(read_at__isnull=True)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "tickets/notifications.html", {"page": page, "unread": unread})


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    ids = [int(i) for i in request.POST.getlist("ids") if params.is_digits(i)] or None
    attempt(request, lambda: ticket_actions.check_mark_notifications_read(actor=request.user, ids=ids))
    return redirect("web:notifications")
