"""Workspace pages of after-sales cases: the workbench, a case, the new-case form, the finance
queue, and the compensation pages (new, approval queue, cost report).  Thin: parse and
authorise, call one action, render."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kefu.accounts.models import User
from kefu.aftersales.models import Order
from kefu.aftersales.selectors import linked_order, orders_of
from kefu.cases import actions, labels, selectors
from kefu.cases.choices import (
    FINISHED,
    CaseKind,
    CaseReason,
    CaseStatus,
    CompensationKind,
    CompensationReason,
)
from kefu.cases.models import Case, CasePhoto, CaseSettings, Compensation
from kefu.cases.rules import reason_rule
from kefu.conversations.models import Conversation
from kefu.core import clock, params
from kefu.core.actions import has_perm
from kefu.core.errors import KefuError
from kefu.core.events import audit_trail
from kefu.core.pages import attempt, need
from kefu.customers.models import Customer


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    need(request, "cases.view_case")
    filters = selectors.CaseFilters.from_query(request.GET)
    page = Paginator(selectors.workbench(request.user, filters), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/list.html",
        {
            "page": page,
            "f": filters,
            "now": clock.now(),
            "kinds": CaseKind.choices,
            "statuses": CaseStatus.choices,
            "agents": User.objects.filter(is_active=True).order_by("username"),
            "finance_count": selectors.finance_queue().count(),
            "can_add": has_perm(request.user, "cases.add_case"),
        },
    )


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    need(request, "cases.view_case")
    case = get_object_or_404(
        Case.objects.select_related("order__shop", "customer", "owner", "team", "conversation", "order_line"), pk=pk
    )
    now = clock.now()
    events = actions.allowed_events(case, request.user)
    return render(
        request,
        "cases/detail.html",
        {
            "case": case,
            "now": now,
            "open": case.status not in FINISHED,
            "deadlines": selectors.running_deadlines(case, now),
            "events": [(e, labels.button(e)) for e in events],
            "trail": audit_trail(case),
            "photos": case.photos.all(),
            "lines": case.order.lines.all(),
            "shop": case.order.shop,
            "rules": CaseSettings.current(),
            "rule": reason_rule(case.reason),
            "can_photo": has_perm(request.user, "cases.change_case") and case.status not in FINISHED,
            "can_compensate": has_perm(request.user, "cases.add_compensation"),
            "compensations": Compensation.objects.filter(source="case", source_id=str(case.pk)),
        },
    )


@login_required
@require_POST
def case_event(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_object_or_404(Case, pk=pk)
    event = request.POST.get("event", "")
    params: dict[str, Any] = {
        k: request.POST.get(k, "")
        for k in (
            "reason",
            "remark",
            "carrier_kind",
            "tracking_no",
            "courier",
            "return_address",
            "return_contact",
            "return_phone",
        )
        if request.POST.get(k)
    }
    if request.POST.get("green_channel"):
        params["green_channel"] = True
    if event == "pay" and request.POST.get("confirm") != "1":
        # Money leaves at this step: only from the confirmation page, which shows amount and customer.
        return redirect("web:case-pay", pk=case.pk)
    attempt(
        request,
        lambda: actions.check_fire_event(case, event, actor=request.user, **params),
        _("%(step)s: done.") % {"step": labels.button(event)},
    )
    nxt = request.POST.get("next", "")
    return HttpResponseRedirect(nxt if nxt.startswith("/cases/") else reverse("web:case", args=[case.pk]))


@login_required
def case_photo(request: HttpRequest, pk: int) -> HttpResponseBase:
    """An evidence photo, to staff who may see cases; only checked images are stored."""
    need(request, "cases.view_case")
    photo = get_object_or_404(CasePhoto, pk=pk)
    response = FileResponse(photo.file.open("rb"), content_type=photo.content_type, filename=photo.name)
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_POST
def case_photos(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_object_or_404(Case, pk=pk)
    files = request.FILES.getlist("photos")
    attempt(request, lambda: actions.check_add_photos(case, files, actor=request.user), _("Photos added."))
    return HttpResponseRedirect(reverse("web:case", args=[case.pk]))


def _int(value: str | None) -> int | None:
    return params.object_id(value)  # type: ignore[no-any-return]


@login_required
def case_new(request: HttpRequest) -> HttpResponse:
    """The new-case form, one click from a conversation, a customer or an order."""
    need(request, "cases.add_case")
    source = request.POST if request.method == "POST" else request.GET
    conversation = Conversation.objects.filter(pk=_int(source.get("conversation"))).first()
    order = Order.objects.filter(pk=_int(source.get("order"))).select_related("shop", "customer").first()
    if order is None and conversation is not None:
        order = linked_order(conversation=conversation)
    customer = order.customer if order is not None else None
    if customer is None and conversation is not None:
        customer = conversation.customer
    elif customer is None:
        customer = Customer.objects.filter(pk=_int(source.get("customer"))).first()
    error = ""
    if request.method == "POST" and order is not None:
        line = order.lines.filter(pk=_int(request.POST.get("order_line"))).first()
        try:
            case = actions.check_create_case(
                order,
                actor=request.user,
                kind=request.POST.get("kind", ""),
                reason=request.POST.get("reason", ""),
                amount=request.POST.get("amount", "0"),
                description=request.POST.get("description", ""),
                order_line=line,
                conversation=conversation,
                unused=bool(request.POST.get("unused")),
                original_packaging=bool(request.POST.get("original_packaging")),
                photos=request.FILES.getlist("photos"),
            )
        except KefuError as exc:
            error = str(exc.message)
        else:
            return HttpResponseRedirect(reverse("web:case", args=[case.pk]))
    elif request.method == "POST":
        error = _("Choose the order first.")
    return render(
        request,
        "cases/new.html",
        {
            "order": order,
            "conversation": conversation,
            "customer": customer,
            "orders": list(orders_of(customer)[:20]) if customer is not None else [],
            "kinds": CaseKind.choices,
            "reasons": CaseReason.choices,
            "photo_reasons": [r for r in CaseReason.values if reason_rule(r).photos_required],
            "rules": CaseSettings.current(),
            "error": error,
            "form": request.POST if request.method == "POST" else {},
        },
        status=400 if error else 200,
    )


@login_required
def case_pay_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """执行退款, step 2: the refund to pay — amount, customer, order, the remark — and one button that
    pays (a page of its own, so it works without JavaScript and nothing pays on one click)."""
    need(request, "cases.view_case")
    case = get_object_or_404(Case.objects.select_related("customer", "order", "payment_requested_by"), pk=pk)
    if not actions.may_fire(request.user, "pay"):
        raise PermissionDenied(_("Only the refund specialist (finance) pays."))
    return render(
        request, "cases/pay_confirm.html", {"case": case, "payable": case.status == CaseStatus.PAYMENT_REQUESTED}
    )


@login_required
def finance_queue(request: HttpRequest) -> HttpResponse:
    need(request, "cases.view_case")
    return render(
        request,
        "cases/finance.html",
        {
            "cases": selectors.finance_queue(),
            "can_pay": actions.may_fire(request.user, "pay"),
            "now": clock.now(),
        },
    )


# --- compensation ------------------------------------------------------------------------------


@login_required
def compensation_list(request: HttpRequest) -> HttpResponse:
    need(request, "cases.view_compensation")
    return render(
        request,
        "cases/compensations.html",
        {
            "pending": selectors.approval_queue(),
            "recent": Compensation.objects.select_related("customer", "order", "created_by")[:50],
            "can_approve": has_perm(request.user, "cases.approve_compensation"),
            "can_report": has_perm(request.user, "cases.view_cost_report"),
            "limit": CaseSettings.current().compensation_limit,
            "window_days": CaseSettings.current().compensation_window_days,
        },
    )


@login_required
def compensation_new(request: HttpRequest) -> HttpResponse:
    need(request, "cases.add_compensation")
    source = request.POST if request.method == "POST" else request.GET
    order = Order.objects.filter(pk=_int(source.get("order"))).select_related("customer").first()
    customer = order.customer if order is not None else Customer.objects.filter(pk=_int(source.get("customer"))).first()
    rules = CaseSettings.current()
    error = ""
    if request.method == "POST":
        quick = request.POST.get("quick")
        try:
            if customer is None:
                raise KefuError(_("Choose the customer first."))
            comp = actions.check_offer_compensation(
                request.user,
                customer=customer,
                order=order,
                kind="coupon" if quick else request.POST.get("kind", ""),
                amount=rules.quick_coupon_amount if quick else request.POST.get("amount", ""),
                reason=quick or request.POST.get("reason", ""),
                note=request.POST.get("note", ""),
                source=request.POST.get("source", ""),
                source_id=request.POST.get("source_id", ""),
            )
        except KefuError as exc:
            error = str(exc.message)
        else:
            messages.success(request, _("Compensation recorded: %(status)s.") % {"status": comp.get_status_display()})
            back = request.POST.get("next", "")
            return HttpResponseRedirect(back if back.startswith("/") else reverse("web:compensations"))
    return render(
        request,
        "cases/compensation_new.html",
        {
            "order": order,
            "customer": customer,
            "kinds": CompensationKind.choices,
            "reasons": CompensationReason.choices,
            "rules": rules,
            "source": source.get("source", ""),
            "source_id": source.get("source_id", ""),
            "next": source.get("next", ""),
            "error": error,
            "form": request.POST if request.method == "POST" else {},
        },
        status=400 if error else 200,
    )


@login_required
@require_POST
def compensation_decide(request: HttpRequest, pk: int) -> HttpResponse:
    comp = get_object_or_404(Compensation, pk=pk)
    approve = request.POST.get("decision") == "approve"
    attempt(
        request,
        lambda: actions.check_approve_compensation(
            request.user, comp, approve=approve, note=request.POST.get("note", "")
        ),
        _("Approved.") if approve else _("Rejected."),
    )
    return HttpResponseRedirect(reverse("web:compensations"))


@login_required
def cost_report(request: HttpRequest) -> HttpResponse:
    need(request, "cases.view_cost_report")
    year = params.integer(request.GET.get("year"), field="year", lo=2000, hi=2200)
    now = clock.now()
    start = datetime(year, 1, 1, tzinfo=now.tzinfo) if year else None
    end = datetime(year + 1, 1, 1, tzinfo=now.tzinfo) if year else None
    report = selectors.cost_report(start, end)
    kinds = dict(CompensationKind.choices)
    return render(
        request,
        "cases/cost_report.html",
        {
            "report": report,
            "by_kind": [(kinds.get(k, k), v) for k, v in report.by_kind.items()],
            "approvals": selectors.approvals(start, end)[:200],
            "rules": CaseSettings.current(),
            "year": year,
            "years": range(now.year, now.year - 4, -1),
            "zero": Decimal("0"),
        },
    )
