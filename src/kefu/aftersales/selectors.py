"""Reads of the orders app (contract E): a customer's orders, the order linked to a chat or a
ticket, the dispatch estimate the bot and the canned replies use, shipping quotes, COD figures."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from kefu.aftersales import estimate as est
from kefu.aftersales import shipping
from kefu.aftersales.choices import (
    ExceptionStatus,
    OrderStatus,
    Payment,
    ReminderStatus,
    ShipmentKind,
    ShipmentStatus,
)
from kefu.aftersales.models import (
    AftersalesSettings,
    LogisticsException,
    Order,
    OrderLine,
    OrderLink,
    Shipment,
    ShippingRate,
    TrackingEvent,
    WarrantyReminder,
)
from kefu.core.params import is_digits
from kefu.sla import engine as sla_engine
from kefu.sla.duemath import Calendar

CALENDAR = "workdays"
OPEN_ORDER_STATES = (
    OrderStatus.PENDING_CONFIRMATION,
    OrderStatus.PENDING_PAYMENT,
    OrderStatus.PAID,
    OrderStatus.CONFIRMED,
    OrderStatus.SHIPPED,
)


def calendar() -> Calendar:
    return sla_engine.calendar(CALENDAR)


def orders_of(customer: Any) -> QuerySet[Order]:
    """The customer's orders, newest first, with their shop and lines."""
    return (
        Order.objects.filter(customer=customer)
        .select_related("shop")
        .prefetch_related("lines")
        .order_by("-created_at", "-id")
    )


def linked_order(conversation: Any = None, ticket: Any = None) -> Order | None:
    """The order an agent linked to ``conversation`` or ``ticket`` (a ticket without its own
    link follows its conversation's)."""
    query = Q()
    if conversation is not None:
        query |= Q(conversation=conversation)
    if ticket is not None:
        query |= Q(ticket=ticket)
        if getattr(ticket, "conversation_id", None):
            query |= Q(conversation_id=ticket.conversation_id)
    if not query:
        return None
    links = list(OrderLink.objects.filter(query).select_related("order", "order__shop"))
    if not links:
        return None
    # the ticket's own link first, then the conversation's
    links.sort(key=lambda link: (ticket is None or link.ticket_id != getattr(ticket, "pk", None), -link.pk))
    return links[0].order


def burn_in_hours(order: Order, settings: AftersalesSettings | None = None) -> int:
    """The longest burn-in of the order's custom-made products (R11)."""
    hours = 0
    default: int | None = None
    for line in order.lines.all():
        product = line.product
        if product is None or not product.custom_made:
            continue
        own = product.burn_in_hours
        if not own:
            if default is None:
                default = (settings or AftersalesSettings.load()).default_burn_in_hours
            own = default
        hours = max(hours, own)
    return hours


def estimate_start(order: Order, now: datetime) -> datetime:
    """The time the dispatch clock starts: payment (online), the buyer's confirmation (COD);
    for an order still waiting for either, now."""
    if order.payment == Payment.COD:
        return order.cod_confirmed_at or now
    return order.paid_at or (now if order.status == OrderStatus.PENDING_PAYMENT else order.created_at)


def estimate_for(order: Order, *, now: datetime | None = None) -> est.Estimate:
    """When ``order`` ships and arrives (R11), for the order page, the bot and canned replies
    (R17: asked when it ships, also say when it arrives)."""
    from kefu.core import clock

    now = now or clock.now()
    return est.estimate(
        estimate_start(order, now),
        calendar(),
        burn_in_hours=burn_in_hours(order),
        shipped_at=order.shipped_at,
    )


def estimate_text(order: Order, *, now: datetime | None = None) -> str:
    """The estimate as a sentence in the customer's language (zh-Hans)."""
    from django.conf import settings
    from django.utils import translation
    from django.utils.translation import gettext as _

    e = estimate_for(order, now=now)
    values = {
        "ship_from": f"{e.ship_from:%m-%d}",
        "ship_by": f"{e.ship_by:%m-%d}",
        "arrive_from": f"{e.arrive_from:%m-%d}",
        "arrive_by": f"{e.arrive_by:%m-%d}",
    }
    with translation.override(settings.LANGUAGE_CODE):
        if e.shipped:
            return _("Shipped on %(ship_from)s; it usually arrives between %(arrive_from)s and %(arrive_by)s.") % values
        return (
            _(
                "It ships between %(ship_from)s and %(ship_by)s and usually arrives "
                "between %(arrive_from)s and %(arrive_by)s."
            )
            % values
        )


def template_values(order: Order | None, *, now: datetime | None = None) -> dict[str, str]:
    """The canned-reply variables an order fills: {订单号} {快递公司} {快递单号} {预计发货} {预计到货}."""
    if order is None:
        return {}
    e = estimate_for(order, now=now)
    return {
        "订单号": order.number,
        "快递公司": order.courier,
        "快递单号": order.tracking_no,
        "预计发货": f"{e.ship_by:%m-%d}" if not e.shipped else f"{e.ship_from:%m-%d}",
        "预计到货": f"{e.arrive_from:%m-%d}~{e.arrive_by:%m-%d}",
        "发货到货": estimate_text(order, now=now),
    }


def order_detail(order_id: int) -> Order:
    return (
        Order.objects.select_related("shop", "customer")
        .prefetch_related(
            "lines",
            Prefetch("shipments", queryset=Shipment.objects.prefetch_related("events").order_by("id")),
            "exceptions",
            "cod_calls",
            Prefetch("links", queryset=OrderLink.objects.select_related("conversation", "ticket")),
        )
        .get(pk=order_id)
    )


def order_list(params: dict[str, str]) -> QuerySet[Order]:
    orders = Order.objects.select_related("shop", "customer").order_by("-created_at", "-id")
    status = params.get("status", "")
    if status in OrderStatus.values:
        orders = orders.filter(status=status)
    if params.get("payment") in Payment.values:
        orders = orders.filter(payment=params["payment"])
    if params.get("shop"):
        orders = orders.filter(shop__code=params["shop"])
    q = (params.get("q") or "").strip()
    if q:
        orders = orders.filter(
            Q(platform_order_no__icontains=q)
            | Q(tracking_no__icontains=q)
            | Q(recipient_name__icontains=q)
            | Q(recipient_phone__icontains=q)
            | Q(customer__name__icontains=q)
            | (Q(pk=int(q.lstrip("#"))) if is_digits(q.lstrip("#")) else Q(pk=None))
        )
    return orders


def status_counts() -> dict[str, int]:
    return dict(Order.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n"))


def latest_event(shipment: Shipment) -> TrackingEvent | None:
    return shipment.events.order_by("-happened_at", "-id").first()


# ---- shipping quotes ----------------------------------------------------------------------


def active_rates() -> list[ShippingRate]:
    return list(ShippingRate.objects.filter(is_active=True))


def quote(weight_grams: int, province: str, courier: str = "") -> list[shipping.Quote]:
    return shipping.quotes(active_rates(), weight_grams, province, courier)


def provinces() -> list[str]:
    return shipping.all_provinces(active_rates())


# ---- COD ------------------------------------------------------------------------------------


def cod_queue(now: datetime) -> QuerySet[Order]:
    """COD orders waiting for the buyer's confirmation, calls due first."""
    return (
        Order.objects.filter(status=OrderStatus.PENDING_CONFIRMATION)
        .select_related("shop", "customer")
        .prefetch_related("lines", "cod_calls")
        .order_by("cod_call_due_at", "created_at", "id")
    )


def cod_refusals(*, since: datetime | None = None) -> dict[str, Any]:
    """Share of COD parcels the buyer refused at the door (R24), over parcels that reached the
    door (delivered or refused); ``confirmed`` splits it by whether the order was confirmed by phone."""
    parcels = Shipment.objects.filter(
        kind=ShipmentKind.OUTBOUND,
        order__payment=Payment.COD,
        status__in=(ShipmentStatus.DELIVERED, ShipmentStatus.REFUSED),
    )
    if since is not None:
        parcels = parcels.filter(shipped_at__gte=since)
    rows = parcels.values("status", confirmed=Q(order__cod_confirmed_at__isnull=False)).annotate(n=Count("id"))
    table: dict[tuple[bool, str], int] = {(r["confirmed"], r["status"]): r["n"] for r in rows}

    def share(keys: list[bool]) -> dict[str, Any]:
        refused = sum(table.get((k, ShipmentStatus.REFUSED), 0) for k in keys)
        total = refused + sum(table.get((k, ShipmentStatus.DELIVERED), 0) for k in keys)
        return {"refused": refused, "total": total, "rate": (Decimal(refused) / total if total else None)}

    return {"all": share([True, False]), "confirmed": share([True]), "unconfirmed": share([False])}


# ---- logistics exceptions and reminders -------------------------------------------------------


def open_exceptions() -> QuerySet[LogisticsException]:
    return (
        LogisticsException.objects.exclude(status=ExceptionStatus.RESOLVED)
        .select_related("shipment", "order", "order__customer", "assignee")
        .order_by("opened_at", "id")
    )


def reminders_to_do(today: date) -> QuerySet[WarrantyReminder]:
    return (
        WarrantyReminder.objects.filter(
            Q(status=ReminderStatus.OPEN) | Q(status=ReminderStatus.SNOOZED, snoozed_until__lte=today)
        )
        .select_related("order_line", "order_line__order", "order_line__product", "customer")
        .order_by("due_on", "id")
    )


def warranty_until(line: OrderLine) -> date | None:
    """The last day of the line's warranty: delivery date + the product's warranty months."""
    order = line.order
    months = line.product.warranty_months if line.product else 0
    if not months or order.delivered_at is None:
        return None
    start = order.delivered_at.astimezone(calendar().tz).date()
    return add_months(start, months) - timedelta(days=1)


def add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    import calendar as cal

    return date(year, month, min(day.day, cal.monthrange(year, month)[1]))
