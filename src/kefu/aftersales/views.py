"""Workspace pages of orders and logistics: thin views (parse → one action → render)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kefu.aftersales import actions, importer, selectors
from kefu.aftersales.choices import (
    CodOutcome,
    ExceptionKind,
    OrderStatus,
    Payment,
    ShipmentKind,
    TrackingEventKind,
)
from kefu.aftersales.models import AftersalesSettings, LogisticsException, Order, Shipment, ShippingRate
from kefu.aftersales.transitions import exception_machine, order_machine
from kefu.conversations.models import Conversation
from kefu.core import clock, params
from kefu.core.actions import has_perm
from kefu.core.errors import KefuError, ValidationFailed
from kefu.core.pages import attempt, back, need
from kefu.shops.models import Product, Shop
from kefu.tickets.models import Ticket

SHANGHAI = ZoneInfo("Asia/Shanghai")
IMPORT_SALT = "kefu.aftersales.import"


def local_time(value: str) -> datetime | None:
    """A ``datetime-local`` form value (no zone) in China time, or None when empty."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(_("“%(value)s” is not a date and time.") % {"value": value}) from None
    parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=SHANGHAI)
    return params.moment(parsed.isoformat())  # type: ignore[no-any-return]  # sane years and offsets


def kind_page(request: HttpRequest, rows: Any, choices: Any) -> tuple[Any, str]:
    """A list page's rows filtered by ``?kind=`` (one of ``choices``), 50 a page."""
    kind = request.GET.get("kind", "")
    if kind in choices.values:
        rows = rows.filter(kind=kind)
    return Paginator(rows, 50).get_page(request.GET.get("page")), kind


def _perms(user: Any, *names: str) -> dict[str, bool]:
    return {name: has_perm(user, f"aftersales.{name}") for name in names}


# ---- orders ------------------------------------------------------------------------------------


@login_required
def order_list(request: HttpRequest) -> HttpResponse:
    need(request, "aftersales.view_order")
    params = {k: request.GET.get(k, "") for k in ("status", "payment", "shop", "q")}
    page = Paginator(selectors.order_list(params), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "aftersales/orders.html",
        {
            "page": page,
            "f": params,
            "counts": selectors.status_counts(),
            "status_choices": OrderStatus.choices,
            "payment_choices": Payment.choices,
            "shops": Shop.objects.all(),
            "perms": _perms(request.user, "add_order", "import_orders"),
            "tab": "orders",
        },
    )


def _order_body(post: Any) -> dict[str, Any]:
    """The new-order form as the API body (lines: sku/quantity/unit_price rows)."""
    skus, quantities, prices = post.getlist("sku"), post.getlist("quantity"), post.getlist("unit_price")
    lines = [
        {"sku": sku, "quantity": qty, "unit_price": price}
        for sku, qty, price in zip(skus, quantities, prices, strict=False)
        if sku.strip()
    ]
    return {
        "shop": post.get("shop", ""),
        "platform_order_no": post.get("platform_order_no", ""),
        "customer": {"name": post.get("customer_name", ""), "phone": post.get("customer_phone", "")},
        "lines": lines,
        "payment": post.get("payment", "online"),
        "address": {
            "name": post.get("recipient_name", ""),
            "phone": post.get("recipient_phone", ""),
            "province": post.get("province", ""),
            "city": post.get("city", ""),
            "detail": post.get("detail", ""),
        },
        "note": post.get("note", ""),
    }


@login_required
def order_new(request: HttpRequest) -> HttpResponse:
    need(request, "aftersales.view_order")
    customer = None
    if params.is_digits(request.GET.get("customer", "")):
        from kefu.customers.models import Customer

        customer = Customer.objects.filter(pk=request.GET["customer"]).first()
    values: dict[str, Any] = {}
    error = ""
    if request.method == "POST":
        body = _order_body(request.POST)
        try:
            order = actions.check_create_order(body, actor=request.user, source="manual", customer=customer)
        except KefuError as exc:
            error = str(exc.message)
            values = request.POST
        else:
            messages.success(request, _("Order %(number)s created.") % {"number": order.number})
            return redirect("web:order", order.pk)
    elif customer is not None:
        address = customer.addresses.order_by("-is_default", "-id").first()
        phone = customer.identities.filter(kind="phone").values_list("value", flat=True).first() or ""
        values = {"customer_name": customer.name, "customer_phone": phone}
        if address is not None:
            values.update(
                recipient_name=address.name,
                recipient_phone=address.phone,
                province=address.province,
                city=address.city,
                detail=address.detail,
            )
    return render(
        request,
        "aftersales/order_new.html",
        {
            "values": values,
            "error": error,
            "customer": customer,
            "shops": Shop.objects.all(),
            "products": Product.objects.select_related("shop").order_by("shop__code", "sku")[:500],
            "line_rows": range(4),
            "payment_choices": Payment.choices,
            "tab": "orders",
        },
    )


@login_required
def order_import(request: HttpRequest) -> HttpResponse:
    need(request, "aftersales.import_orders")
    context: dict[str, Any] = {"tab": "orders"}
    if request.method == "POST" and request.POST.get("token"):
        try:
            bodies = signing.loads(request.POST["token"], salt=IMPORT_SALT, max_age=3600)
        except signing.BadSignature:
            messages.error(request, _("The preview expired; upload the file again."))
            return redirect("web:order-import")
        result = actions.check_import_orders(bodies, actor=request.user)
        messages.success(request, _("%(n)d orders imported.") % {"n": len(result.created)})
        for number, reason in result.errors:
            messages.error(request, f"{number}: {reason}")
        return redirect("web:orders")
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise ValidationFailed(_("Choose a CSV or XLSX file."))
            plan = importer.preview(importer.read_table(upload))
        except KefuError as exc:
            context["error"] = exc.message
        else:
            context.update(
                plan=plan,
                token=signing.dumps(plan.bodies, salt=IMPORT_SALT, compress=True),
                filename=upload.name,
            )
    return render(request, "aftersales/order_import.html", context)


@login_required
def import_template(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt == "xlsx":
        response = HttpResponse(
            importer.template_xlsx(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    else:
        response = HttpResponse(importer.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="kefu-orders-template.{fmt}"'
    return response


@login_required
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    need(request, "aftersales.view_order")
    try:
        order = selectors.order_detail(pk)
    except Order.DoesNotExist:
        raise Http404 from None
    now = clock.now()
    estimate = selectors.estimate_for(order, now=now)
    linked_tickets = {link.ticket_id for link in order.links.all() if link.ticket_id}
    return render(
        request,
        "aftersales/order.html",
        {
            "order": order,
            "estimate": estimate,
            "events": [e for e in ("pay", "complete", "cancel") if order_machine.can(order.status, e)],
            "can_ship": order_machine.can(order.status, "ship"),
            "shipment_kinds": ShipmentKind.choices,
            "event_kinds": TrackingEventKind.choices,
            "exception_kinds": ExceptionKind.choices,
            "open_tickets": order.customer.tickets.exclude(pk__in=linked_tickets).order_by("-updated_at")[:10],
            "perms": _perms(
                request.user, "change_order", "ship_order", "notify_tracking", "link_order", "add_serviceorder"
            ),
            "now": now,
            "tab": "orders",
        },
    )


@require_POST
@login_required
def order_do(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_object_or_404(Order, pk=pk)
    op = request.POST.get("op", "")
    user = request.user
    p = request.POST
    if op in ("pay", "complete", "cancel"):
        attempt(request, lambda: actions.check_transition_order(order, op, actor=user, reason=p.get("reason", "")))
    elif op == "address":
        fields = {name: p.get(name, "") for name in actions.ADDRESS_FIELDS}
        attempt(request, lambda: actions.check_update_address(order, actor=user, **fields), _("Address saved."))
    elif op == "ship":
        attempt(
            request,
            lambda: actions.check_create_shipment(
                user,
                order,
                kind=p.get("kind", ShipmentKind.OUTBOUND),
                courier=p.get("courier", ""),
                tracking_no=p.get("tracking_no", ""),
                carrier_kind=p.get("carrier_kind", "express"),
            ),
            _("Shipment recorded."),
        )
    elif op == "link_ticket":
        ticket = Ticket.objects.filter(pk=p.get("ticket", "0") or 0).first()
        if ticket is None:
            messages.error(request, _("Choose a ticket."))
        else:
            attempt(request, lambda: actions.check_link_order(order, actor=user, ticket=ticket), _("Linked."))
    else:
        messages.error(request, _("Unknown action."))
    return back(request, reverse("web:order", args=[pk]))


@require_POST
@login_required
def shipment_do(request: HttpRequest, pk: int) -> HttpResponse:
    shipment = get_object_or_404(Shipment.objects.select_related("order"), pk=pk)
    op = request.POST.get("op", "")
    user = request.user
    p = request.POST
    if op == "track":

        def track() -> None:
            actions.check_add_tracking_entry(
                shipment,
                actor=user,
                kind=p.get("kind", ""),
                happened_at=local_time(p.get("happened_at", "")),
                location=p.get("location", ""),
                description=p.get("description", ""),
            )

        attempt(request, track, _("Tracking entry added."))
    elif op == "notify":
        attempt(request, lambda: actions.check_send_tracking_update(shipment, actor=user), _("Tracking update sent."))
    elif op == "flag":
        attempt(
            request,
            lambda: actions.check_flag_exception(shipment, p.get("kind", ""), actor=user, detail=p.get("detail", "")),
            _("Exception flagged."),
        )
    else:
        messages.error(request, _("Unknown action."))
    return back(request, reverse("web:order", args=[shipment.order_id]))


@require_POST
@login_required
def order_link(request: HttpRequest) -> HttpResponse:
    """Link (or unlink) the order to a conversation or ticket in one step: by id or by number."""
    p = request.POST
    conversation = Conversation.objects.filter(pk=p.get("conversation") or 0).first() if p.get("conversation") else None
    ticket = Ticket.objects.filter(pk=p.get("ticket") or 0).first() if p.get("ticket") else None
    fallback = (
        reverse("web:conversation", args=[conversation.pk])
        if conversation
        else reverse("web:ticket", args=[ticket.pk])
        if ticket
        else reverse("web:orders")
    )
    if conversation is None and ticket is None:
        messages.error(request, _("Nothing to link the order to."))
        return back(request, fallback)
    if p.get("op") == "unlink":
        attempt(
            request,
            lambda: actions.check_unlink_order(actor=request.user, conversation=conversation, ticket=ticket),
            _("Unlinked."),
        )
        return back(request, fallback)
    subject = conversation or ticket
    raw = (p.get("order") or "").strip()
    found = Order.objects.filter(customer_id=subject.customer_id)  # type: ignore[union-attr]
    order = (
        found.filter(pk=int(raw.lstrip("#"))).first() if params.is_digits(raw.lstrip("#")) else None
    ) or found.filter(platform_order_no=raw).first()
    if order is None:
        messages.error(request, _("The customer has no order “%(number)s”.") % {"number": raw})
        return back(request, fallback)
    attempt(
        request,
        lambda: actions.check_link_order(order, actor=request.user, conversation=conversation, ticket=ticket),
        _("Order %(number)s linked.") % {"number": order.number},
    )
    return back(request, fallback)


# ---- COD queue -------------------------------------------------------------------------------------


@login_required
def cod_queue(request: HttpRequest) -> HttpResponse:
    need(request, "aftersales.view_order")
    now = clock.now()
    config = AftersalesSettings.load()
    since = now - timedelta(days=30)
    return render(
        request,
        "aftersales/cod.html",
        {
            "orders": selectors.cod_queue(now)[:200],
            "report": selectors.cod_refusals(),
            "report_30": selectors.cod_refusals(since=since),
            "config": config,
            "now": now,
            "outcomes": CodOutcome.choices,
            "can_call": has_perm(request.user, "aftersales.confirm_cod"),
            "tab": "cod",
        },
    )


@require_POST
@login_required
def cod_call(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_object_or_404(Order, pk=pk)
    p = request.POST
    outcome = p.get("outcome", "")
    labels = dict(CodOutcome.choices)

    def call() -> None:
        _order, new = actions.check_record_cod_call(
            order, outcome, actor=request.user, note=p.get("note", ""), reorder_online=bool(p.get("reorder_online"))
        )
        if new is not None:
            messages.info(request, _("Online order %(number)s created for payment.") % {"number": new.number})

    attempt(
        request,
        call,
        _("%(number)s: %(outcome)s recorded.") % {"number": order.number, "outcome": labels.get(outcome, outcome)},
    )
    return back(request, reverse("web:cod-queue"))


# ---- logistics exceptions ----------------------------------------------------------------------------


@login_required
def logistics(request: HttpRequest) -> HttpResponse:
    need(request, "aftersales.view_logisticsexception")
    show = request.GET.get("show", "open")
    rows = (
        selectors.open_exceptions()
        if show == "open"
        else LogisticsException.objects.select_related("shipment", "order", "order__customer").order_by("-opened_at")
    )
    page, kind = kind_page(request, rows, ExceptionKind)
    for exc in page:
        exc.allowed = exception_machine.allowed_events(exc.status)  # type: ignore[attr-defined]
    return render(
        request,
        "aftersales/logistics.html",
        {
            "page": page,
            "show": show,
            "kind": kind,
            "kinds": ExceptionKind.choices,
            "can_handle": has_perm(request.user, "aftersales.handle_logistics"),
            "now": clock.now(),
            "tab": "logistics",
        },
    )


@require_POST
@login_required
def logistics_do(request: HttpRequest, pk: int) -> HttpResponse:
    exc = get_object_or_404(LogisticsException.objects.select_related("order", "shipment"), pk=pk)
    op = request.POST.get("op", "")
    p = request.POST
    user = request.user
    if op == "redeliver":
        address = {name: p.get(name, "") for name in actions.ADDRESS_FIELDS}
        attempt(
            request,
            lambda: actions.check_request_redelivery(exc, actor=user, note=p.get("note", ""), **address),
            _("Redelivery requested."),
        )
    elif op == "compensated":
        attempt(
            request,
            lambda: actions.check_record_compensation(exc, actor=user, compensation=p.get("compensation", "")),
        )
    elif op == "claim":
        attempt(
            request,
            lambda: actions.check_file_claim(
                exc, actor=user, claim_no=p.get("claim_no", ""), amount=p.get("amount", "")
            ),
            _("Claim filed."),
        )
    elif op in ("accept", "reject", "pay"):
        attempt(request, lambda: actions.check_claim_outcome(exc, op, actor=user, note=p.get("note", "")))
    elif op == "resolve":
        attempt(
            request,
            lambda: actions.check_resolve_exception(exc, actor=user, resolution=p.get("resolution", "")),
            _("Resolved."),
        )
    elif op == "notify":
        attempt(
            request, lambda: actions.check_send_tracking_update(exc.shipment, actor=user), _("Tracking update sent.")
        )
    else:
        messages.error(request, _("Unknown action."))
    return back(request, reverse("web:logistics"))


# ---- shipping rates and the fee calculator -------------------------------------------------------------


@login_required
def shipping_rates(request: HttpRequest) -> HttpResponse:
    need(request, "aftersales.view_shippingrate")
    can_edit = has_perm(request.user, "aftersales.change_shippingrate")
    editing: ShippingRate | None = None
    if params.is_digits(request.GET.get("edit", "")):
        editing = ShippingRate.objects.filter(pk=request.GET["edit"]).first()
    if request.method == "POST":
        rate = ShippingRate.objects.filter(pk=request.POST.get("id") or 0).first()
        fields = {name: request.POST.get(name, "") for name in actions.RATE_FIELDS}
        fields["is_active"] = bool(request.POST.get("is_active"))
        if attempt(
            request, lambda: actions.check_save_shipping_rate(rate, actor=request.user, **fields), _("Rate saved.")
        ):
            return redirect("web:shipping-rates")
    calc = _calculator(request)
    return render(
        request,
        "aftersales/shipping_rates.html",
        {
            "rates": ShippingRate.objects.all(),
            "can_edit": can_edit,
            "editing": editing,
            "calc": calc,
            "provinces": selectors.provinces(),
            "tab": "rates",
        },
    )


def _calculator(request: HttpRequest) -> dict[str, Any]:
    weight, province, courier = (request.GET.get(k, "").strip() for k in ("weight", "province", "courier"))
    calc: dict[str, Any] = {"weight": weight, "province": province, "courier": courier}
    if weight or province:
        if not params.is_digits(weight) or not 1 <= int(weight) <= 1_000_000:
            calc["error"] = _("Weight: a whole number of grams.")
        elif not province:
            calc["error"] = _("Choose the destination province.")
        else:
            calc["quotes"] = selectors.quote(int(weight), province, courier)
            if not calc["quotes"]:
                calc["error"] = _("No shipping rate covers this destination.")
    return calc


@login_required
def shipping_quote(request: HttpRequest) -> HttpResponse:
    """The composer's 运费 tool (htmx partial)."""
    need(request, "aftersales.view_shippingrate")
    return render(request, "aftersales/_quote.html", {"calc": _calculator(request)})
