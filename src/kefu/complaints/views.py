"""Complaint pages of the workspace and the customer's public accept/decline page: thin views —
parse and authorise, call one action, render."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kefu.accounts.models import User
from kefu.aftersales.selectors import linked_order, orders_of
from kefu.complaints import actions, selectors
from kefu.complaints.choices import ComplaintChannel, ComplaintStatus, Responsibility, Severity
from kefu.complaints.models import Complaint, ComplaintTask, StaffFault
from kefu.complaints.transitions import EVENT_PERMISSION, complaint_machine
from kefu.conversations.models import Conversation
from kefu.core import clock, params
from kefu.core.actions import has_perm, require
from kefu.core.errors import KefuError
from kefu.core.events import audit_trail
from kefu.core.pages import attempt
from kefu.customers.models import Customer
from kefu.sla import deadlines
from kefu.tickets.models import Ticket

VIEWS = ("open", "mine", "approval", "closed", "all")


@login_required
@permission_required("complaints.view_complaint", raise_exception=True)
def complaint_list(request: HttpRequest) -> HttpResponse:
    view = request.GET.get("view", "open")
    if view not in VIEWS:
        view = "open"
    page = Paginator(selectors.complaint_list(request.user, view), 50).get_page(request.GET.get("page"))
    running = deadlines.running_for("complaints.complaint", [c.pk for c in page])
    rows = [(c, running.get(str(c.pk), {})) for c in page]
    return render(
        request,
        "complaints/list.html",
        {
            "page": page,
            "rows": rows,
            "view": view,
            "now": clock.now(),
            "can_approve": has_perm(request.user, "complaints.approve_complaint"),
        },
    )


@login_required
@permission_required("complaints.add_complaint", raise_exception=True)
def complaint_new(request: HttpRequest) -> HttpResponse:
    conversation = _get_int(Conversation, request.GET.get("conversation") or request.POST.get("conversation"))
    ticket = _get_int(Ticket, request.GET.get("ticket") or request.POST.get("ticket"))
    customer = _get_int(Customer, request.GET.get("customer") or request.POST.get("customer"))
    if conversation is not None:
        customer = conversation.customer
    elif ticket is not None:
        customer = ticket.customer
    if request.method == "POST":
        fields: dict[str, Any] = {k: request.POST.get(k, "") for k in ("channel", "summary", "wants", "severity")}
        order_id = request.POST.get("order", "")
        if params.is_digits(order_id) and customer is not None:
            fields["order"] = orders_of(customer).filter(pk=int(order_id)).first()
        staff = request.POST.get("about_staff", "")
        if staff:
            fields["about_staff"] = User.objects.filter(username=staff).first()
        made: list[Complaint] = []

        def register() -> None:
            if conversation is not None:
                made.append(actions.check_complaint_from_conversation(conversation, actor=request.user, **fields))
            elif ticket is not None:
                made.append(actions.check_complaint_from_ticket(ticket, actor=request.user, **fields))
            elif customer is not None:
                made.append(actions.check_register_complaint(customer, actor=request.user, **fields))
            else:
                made.append(_register_new_customer(request, fields))

        if attempt(request, register, _("Complaint registered.")):
            return redirect("web:complaint", pk=made[0].pk)
    defaults: dict[str, Any] = {"severity": Severity.NORMAL, "channel": ComplaintChannel.PHONE}
    linked = linked_order(conversation=conversation, ticket=ticket) if (conversation or ticket) else None
    defaults["order"] = linked.pk if linked is not None else None
    if conversation is not None:
        defaults.update(actions.complaint_defaults_from_conversation(conversation))
    elif ticket is not None:
        defaults.update({"summary": f"{ticket.subject}\n{ticket.description}".strip()})
    if request.method == "POST":
        defaults.update({k: request.POST.get(k, "") for k in ("channel", "summary", "wants", "severity")})
    return render(
        request,
        "complaints/new.html",
        {
            "conversation": conversation,
            "ticket": ticket,
            "customer": customer,
            "f": defaults,
            "orders": list(orders_of(customer)[:20]) if customer is not None else [],
            "channels": ComplaintChannel.choices,
            "severities": Severity.choices,
            "now": clock.now(),
        },
    )


def _register_new_customer(request: HttpRequest, fields: dict[str, Any]) -> Complaint:
    from kefu.customers.actions import check_create_customer, do_find_or_create_by_identity

    name = request.POST.get("customer_name", "").strip()
    phone = request.POST.get("customer_phone", "").strip()
    actions.clean_register(fields)
    if phone:
        require(request.user, "customers.add_customer")
        customer, _created = do_find_or_create_by_identity(
            "phone", phone, now=clock.now(), defaults={"name": name[:80]}
        )
    else:
        customer = check_create_customer(actor=request.user, name=name[:80])
    return actions.check_register_complaint(customer, actor=request.user, **fields)


def _get_int(model: Any, value: Any) -> Any:
    if value and params.is_digits(str(value)):
        return model._default_manager.filter(pk=int(value)).first()
    return None


@login_required
@require_POST
def complaint_from_conversation(request: HttpRequest, pk: int) -> HttpResponse:
    """The one-click button on the conversation page."""
    conversation = get_object_or_404(Conversation.objects.select_related("channel", "customer"), pk=pk)
    made: list[Complaint] = []
    if attempt(
        request,
        lambda: made.append(actions.check_complaint_from_conversation(conversation, actor=request.user)),
        _("The conversation is now a complaint."),
    ):
        return redirect("web:complaint", pk=made[0].pk)
    existing = Complaint.objects.filter(conversation=conversation).exclude(status=ComplaintStatus.CLOSED).first()
    if existing is not None:
        return redirect("web:complaint", pk=existing.pk)
    return redirect("web:conversation", pk=pk)


@login_required
@require_POST
def complaint_from_ticket(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = get_object_or_404(Ticket, pk=pk)
    made: list[Complaint] = []
    if attempt(
        request,
        lambda: made.append(actions.check_complaint_from_ticket(ticket, actor=request.user)),
        _("The ticket is now a complaint."),
    ):
        return redirect("web:complaint", pk=made[0].pk)
    return redirect("web:ticket", pk=pk)


def _local(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(settings.TIME_ZONE)).strftime("%Y-%m-%dT%H:%M")


@login_required
@permission_required("complaints.view_complaint", raise_exception=True)
def complaint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = get_object_or_404(
        Complaint.objects.select_related("customer", "handler", "received_by", "about_staff", "conversation", "ticket"),
        pk=pk,
    )
    now = clock.now()
    allowed = [
        e for e in complaint_machine.allowed_events(complaint.status) if has_perm(request.user, EVENT_PERMISSION[e])
    ]
    transcript = []
    if complaint.conversation_id:
        transcript = list(
            complaint.conversation.messages.filter(is_internal=False)
            .select_related("author")
            .order_by("created_at", "id")[:300]  # type: ignore[union-attr]
        )
    can_verify = (
        has_perm(request.user, "complaints.approve_complaint")
        and complaint.responsibility == Responsibility.STAFF
        and complaint.about_staff_id is not None
        and not StaffFault.objects.filter(complaint=complaint).exists()
    )
    return render(
        request,
        "complaints/detail.html",
        {
            "c": complaint,
            "events": allowed,
            "deadlines": deadlines.running(complaint),
            "answer_by": selectors.deadlines_of(complaint).get("answer_by"),
            "notes": complaint.notes.select_related("author"),
            "tasks": complaint.tasks.select_related("owner"),
            "trail": audit_trail(complaint).order_by("created_at", "id"),
            "transcript": transcript,
            "staff": User.objects.filter(is_active=True).order_by("username"),
            "responsibilities": Responsibility.choices,
            "steps": ComplaintStatus.choices,
            "can_verify": can_verify,
            "can_handle": has_perm(request.user, "complaints.handle_complaint"),
            "can_claim": complaint.handler_id is None
            and complaint.status != ComplaintStatus.CLOSED
            and has_perm(request.user, "complaints.handle_complaint"),
            "public_url": request.build_absolute_uri(reverse("web:complaint-public", args=[complaint.accept_token]))
            if complaint.accept_token and complaint.status == ComplaintStatus.ANSWERED
            else "",
            "tomorrow": _local(now + timedelta(days=1)),
            "now": now,
        },
    )


def _event_data(request: HttpRequest, event: str) -> dict[str, Any]:
    post = request.POST
    data: dict[str, Any] = {k: post.get(k, "") for k in ("note", "cause", "responsibility", "staff", "plan", "answer")}
    if event == "propose" and post.get("compensation_kind"):
        data["compensation"] = {
            "kind": post.get("compensation_kind"),
            "amount": post.get("compensation_amount") or "0",
            "reason": post.get("compensation_reason", ""),
        }
    if event == "implement":
        tasks = []
        for department, task, owner, due in zip(
            post.getlist("department"), post.getlist("task"), post.getlist("owner"), post.getlist("due"), strict=False
        ):
            if department.strip() or task.strip():
                tasks.append({"department": department, "task": task, "owner": owner, "due": due})
        data["tasks"] = tasks
    return data


@login_required
@require_POST
def complaint_event(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = get_object_or_404(Complaint, pk=pk)
    event = request.POST.get("event", "")
    upload = request.FILES.get("agreement_file")
    if event == "customer_agrees" and upload is None:
        messages.error(request, _("Upload the form the customer signed (or let them accept on the link)."))
        return redirect("web:complaint", pk=pk)
    attempt(
        request,
        lambda: actions.check_fire(
            complaint, event, actor=request.user, data=_event_data(request, event), upload=upload
        ),
        _("Saved."),
    )
    return redirect("web:complaint", pk=pk)


@login_required
@require_POST
def complaint_note(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = get_object_or_404(Complaint, pk=pk)
    attempt(request, lambda: actions.check_add_note(complaint, request.POST.get("text", ""), actor=request.user))
    return redirect("web:complaint", pk=pk)


@login_required
@require_POST
def complaint_claim(request: HttpRequest, pk: int) -> HttpResponse:
    """领取: take an unassigned complaint (check_claim_complaint)."""
    complaint = get_object_or_404(Complaint, pk=pk)
    attempt(
        request, lambda: actions.check_claim_complaint(complaint, actor=request.user), _("The complaint is yours now.")
    )
    return redirect("web:complaint", pk=complaint.pk)


@login_required
@require_POST
def task_done(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(ComplaintTask, pk=pk)
    if task.owner_id != request.user.pk and not has_perm(request.user, "complaints.handle_complaint"):
        raise PermissionDenied(_("Only the task's owner or an after-sales agent may finish it."))
    attempt(request, lambda: actions.check_finish_task(task, actor=request.user), _("Task done."))
    return redirect("web:complaint", pk=task.complaint_id)


def complaint_public(request: HttpRequest, token: str) -> HttpResponse:
    """The customer's page behind the signed link: the answer, accept or decline."""
    complaint = Complaint.objects.select_related("customer").filter(accept_token=token).first() if token else None
    if complaint is None:
        raise Http404
    done = ""
    if request.method == "POST":
        accept = request.POST.get("choice") == "accept"
        try:
            actions.do_customer_responds(
                complaint, accept=accept, reason=request.POST.get("reason", ""), now=clock.now()
            )
            done = "accepted" if accept else "declined"
        except KefuError as exc:
            messages.error(request, exc.message)
        complaint.refresh_from_db()
    return render(request, "complaints/public.html", {"c": complaint, "done": done})


@login_required
def staff_record(request: HttpRequest, username: str) -> HttpResponse:
    staff = get_object_or_404(User, username=username)
    if not actions.can_see_record(request.user, staff):
        raise PermissionDenied(_("Only the staff member and supervisors see this record."))
    now = clock.now()
    entries = selectors.staff_record(staff, now)
    all_entries = (
        StaffFault.objects.filter(staff=staff).select_related("complaint", "verified_by").order_by("-verified_at")
    )
    return render(
        request,
        "complaints/staff_record.html",
        {
            "staff": staff,
            "entries": entries,
            "all_entries": all_entries,
            "counted": {e["entry"]: e["level"] for e in entries},
            "own": staff.pk == request.user.pk,
            "can_decide": has_perm(request.user, "complaints.decide_staff_records"),
        },
    )


@login_required
@require_POST
def staff_record_entry(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(StaffFault.objects.select_related("staff"), pk=pk)
    op = request.POST.get("op", "")
    if op == "appeal":
        attempt(
            request,
            lambda: actions.check_appeal_fault(entry, request.POST.get("text", ""), actor=request.user),
            _("Your appeal was sent to the administrator."),
        )
    else:
        attempt(
            request,
            lambda: actions.check_decide_fault(
                entry, actor=request.user, note=request.POST.get("note", ""), appeal=request.POST.get("appeal", "")
            ),
            _("Decision saved."),
        )
    return redirect("web:staff-record", username=entry.staff.username)
