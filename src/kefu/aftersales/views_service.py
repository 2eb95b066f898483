"""Workspace pages of service orders (R7, R10, R25) and warranty reminders."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kefu.accounts.models import User
from kefu.aftersales import actions, selectors
from kefu.aftersales.choices import ReminderKind, ServiceKind, ServiceStatus
from kefu.aftersales.models import Order, ServiceOrder, WarrantyReminder
from kefu.aftersales.transitions import service_machine
from kefu.aftersales.views import SHANGHAI, kind_page, local_time
from kefu.core import clock, params
from kefu.core.actions import has_perm
from kefu.core.errors import KefuError, ValidationFailed
from kefu.core.pages import attempt, back, need
from kefu.customers.models import Customer
from kefu.shops.models import Product

OPEN_SERVICE = (ServiceStatus.NEW, ServiceStatus.SCHEDULED, ServiceStatus.ON_SITE, ServiceStatus.DONE)


def technicians() -> list[Any]:
    return [
        u
        for u in User.objects.filter(is_active=True).order_by("username")
        if u.has_perm("aftersales.work_service_order")
    ]


@login_required
def service_orders(request: HttpRequest) -> HttpResponse:
    need(request, "aftersales.view_serviceorder")
    is_tech = has_perm(request.user, "aftersales.work_service_order")
    view = request.GET.get("view", "mine" if is_tech and not request.user.is_staff else "open")
    rows = ServiceOrder.objects.select_related("ticket", "ticket__customer", "technician", "product", "order")
    if view == "mine":
        rows = rows.filter(technician_id=request.user.pk, status__in=OPEN_SERVICE)
    elif view == "open":
        rows = rows.filter(status__in=OPEN_SERVICE)
    page, kind = kind_page(request, rows.order_by("due_at", "appointment_at", "id"), ServiceKind)
    return render(
        request,
        "aftersales/service_orders.html",
        {
            "page": page,
            "view": view,
            "kind": kind,
            "kinds": ServiceKind.choices,
            "now": clock.now(),
            "can_add": has_perm(request.user, "aftersales.add_serviceorder"),
            "tab": "service",
        },
    )


@login_required
def service_order_new(request: HttpRequest) -> HttpResponse:
    need(request, "aftersales.view_serviceorder")
    order = Order.objects.filter(pk=request.GET.get("order") or 0).select_related("customer").first()
    customer = order.customer if order else Customer.objects.filter(pk=request.GET.get("customer") or 0).first()
    error = ""
    if request.method == "POST":
        p = request.POST
        try:
            if customer is None:
                raise ValidationFailed(_("Open this page from an order or a customer."))
            product = Product.objects.filter(pk=p.get("product") or 0).first()
            technician = User.objects.filter(pk=p.get("technician") or 0).first()
            so = actions.check_create_service_order(
                customer,
                actor=request.user,
                kind=p.get("kind", ""),
                description=p.get("description", ""),
                order=order,
                product=product,
                address=p.get("address", ""),
                appointment_at=local_time(p.get("appointment_at", "")),
                technician=technician,
            )
        except KefuError as exc:
            error = str(exc.message)
        else:
            messages.success(request, _("Service order created."))
            return redirect("web:service-order", so.pk)
    return render(
        request,
        "aftersales/service_order_new.html",
        {
            "order": order,
            "customer": customer,
            "products": [line.product for line in order.lines.all() if line.product] if order else [],
            "technicians": technicians(),
            "kinds": ServiceKind.choices,
            "error": error,
            "values": request.POST if request.method == "POST" else {"kind": request.GET.get("kind", "")},
            "tab": "service",
        },
    )


@login_required
def service_order(request: HttpRequest, pk: int) -> HttpResponse:
    need(request, "aftersales.view_serviceorder")
    so = get_object_or_404(
        ServiceOrder.objects.select_related("ticket", "ticket__customer", "technician", "product", "order"), pk=pk
    )
    from kefu.sla import deadlines

    return render(
        request,
        "aftersales/service_order.html",
        {
            "so": so,
            "events": service_machine.allowed_events(so.status),
            "deadlines": deadlines.running(so),
            "technicians": technicians(),
            "appointment_local": so.appointment_at.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")
            if so.appointment_at
            else "",
            "warranty_until": _warranty(so),
            "part_rows": range(max(3, len(so.parts) + 1)),
            "can_work": has_perm(request.user, "aftersales.work_service_order"),
            "can_change": has_perm(request.user, "aftersales.change_serviceorder"),
            "now": clock.now(),
            "tab": "service",
        },
    )


def _warranty(so: ServiceOrder) -> Any:
    if so.order is None:
        return None
    line = so.order.lines.filter(product=so.product).first() if so.product else so.order.lines.first()
    return selectors.warranty_until(line) if line else None


@require_POST
@login_required
def service_order_do(request: HttpRequest, pk: int) -> HttpResponse:
    so = get_object_or_404(ServiceOrder.objects.select_related("ticket", "ticket__customer", "order"), pk=pk)
    op = request.POST.get("op", "")
    p = request.POST
    user = request.user
    if op == "schedule":

        def schedule() -> None:
            technician = User.objects.filter(pk=p.get("technician") or 0).first()
            when = local_time(p.get("appointment_at", ""))
            if when is None:
                raise ValidationFailed(_("Choose the appointment time."))
            actions.check_schedule_service(so, actor=user, appointment_at=when, technician=technician)

        attempt(request, schedule, _("Appointment saved."))
    elif op == "arrive":
        attempt(request, lambda: actions.check_service_arrived(so, actor=user), _("Arrival recorded."))
    elif op == "finish":
        parts = [
            {"name": n, "quantity": q or "1", "unit_price": u or "0"}
            for n, q, u in zip(
                p.getlist("part_name"), p.getlist("part_quantity"), p.getlist("part_price"), strict=False
            )
        ]
        attempt(
            request,
            lambda: actions.check_finish_service(
                so, actor=user, result=p.get("result", ""), parts=parts, labour=p.get("labour", "0")
            ),
            _("Work recorded."),
        )
    elif op == "confirm":
        attempt(request, lambda: actions.check_confirm_service(so, actor=user, note=p.get("note", "")))
    elif op == "cancel":
        attempt(request, lambda: actions.check_cancel_service(so, actor=user, reason=p.get("reason", "")))
    else:
        messages.error(request, _("Unknown action."))
    return back(request, reverse("web:service-order", args=[pk]))


# ---- warranty and inspection reminders -------------------------------------------------------------


@login_required
def reminders(request: HttpRequest) -> HttpResponse:
    need(request, "aftersales.view_warrantyreminder")
    today = clock.now().astimezone(SHANGHAI).date()
    page, kind = kind_page(request, selectors.reminders_to_do(today), ReminderKind)
    for r in page:
        r.until = selectors.warranty_until(r.order_line)
    return render(
        request,
        "aftersales/reminders.html",
        {
            "page": page,
            "today": today,
            "kind": kind,
            "kinds": ReminderKind.choices,
            "can_change": has_perm(request.user, "aftersales.change_warrantyreminder"),
            "tab": "reminders",
        },
    )


@require_POST
@login_required
def reminder_do(request: HttpRequest, pk: int) -> HttpResponse:
    reminder = get_object_or_404(WarrantyReminder, pk=pk)
    op = request.POST.get("op", "")
    if op == "done":
        attempt(
            request,
            lambda: actions.check_reminder_done(reminder, actor=request.user, note=request.POST.get("note", "")),
            _("Marked done."),
        )
    elif op == "snooze":
        raw = request.POST.get("days", "7")
        days = int(raw) if params.is_digits(raw, max_digits=4) else 0
        attempt(request, lambda: actions.check_snooze_reminder(reminder, actor=request.user, days=days))
    else:
        messages.error(request, _("Unknown action."))
    return back(request, reverse("web:reminders"))
