"""REST endpoints of the orders app (mounted at /api/v1/ by kefu.web.api).

* ``POST /api/v1/orders`` — the body of issue 8; 201 with the order; a second POST with the same
  shop and ``platform_order_no`` answers **409** ``{"error": "conflict", "order": ID}`` and
  changes nothing (the integration then reads ``GET /api/v1/orders/{ID}``).
* ``GET /api/v1/orders/{id}`` — the order, its lines, shipments with tracking, the estimate.
* ``POST /api/v1/shipments/{id}/events`` — a courier's (or aggregator's) tracking events.
* ``POST /api/v1/shipping/quote`` — shipping fees per courier (R20).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from kefu.aftersales import actions, selectors
from kefu.aftersales.api_docs import OrderCreateIn, ShipmentEventsIn, ShippingQuoteIn
from kefu.aftersales.couriers import posted
from kefu.aftersales.models import Order, Shipment
from kefu.core import clock, inputs, params
from kefu.core.actions import require
from kefu.core.api_auth import needs
from kefu.core.api_docs import ErrorOut, body_doc
from kefu.core.errors import NotFound, ValidationFailed

router = Router(tags=["aftersales"])


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def body_of(request: HttpRequest) -> Any:
    return inputs.loads(request.body)  # size, depth, NUL and lone surrogates: kefu.core.inputs


def shipment_out(s: Shipment) -> dict[str, Any]:
    return {
        "id": s.pk,
        "kind": s.kind,
        "courier": s.courier,
        "carrier_kind": s.carrier_kind,
        "tracking_no": s.tracking_no,
        "status": s.status,
        "shipped_at": _iso(s.shipped_at),
        "delivered_at": _iso(s.delivered_at),
        "last_event_at": _iso(s.last_event_at),
        "events": [
            {
                "kind": e.kind,
                "time": _iso(e.happened_at),
                "location": e.location,
                "description": e.description,
                "source": e.source,
            }
            for e in s.events.all()
        ],
    }


def order_out(o: Order) -> dict[str, Any]:
    estimate = selectors.estimate_for(o)
    return {
        "id": o.pk,
        "number": o.number,
        "shop": o.shop.code,
        "platform_order_no": o.platform_order_no,
        "customer": {"id": o.customer_id, "name": o.customer.name},
        "payment": o.payment,
        "status": o.status,
        "total_amount": str(o.total_amount),
        "paid_amount": str(o.paid_amount),
        "address": {
            "name": o.recipient_name,
            "phone": o.recipient_phone,
            "province": o.province,
            "city": o.city,
            "detail": o.address_detail,
        },
        "courier": o.courier,
        "tracking_no": o.tracking_no,
        "lines": [
            {
                "sku": line.sku,
                "name": line.name,
                "quantity": line.quantity,
                "unit_price": str(line.unit_price),
                "amount": str(line.amount),
            }
            for line in o.lines.all()
        ],
        "created_at": _iso(o.created_at),
        "paid_at": _iso(o.paid_at),
        "shipped_at": _iso(o.shipped_at),
        "delivered_at": _iso(o.delivered_at),
        "estimated_ship_at": _iso(o.estimated_ship_at),
        "estimated_arrival_at": _iso(o.estimated_arrival_at),
        "estimate": estimate.as_dict(),
        "shipments": [shipment_out(s) for s in o.shipments.all()],
    }


def _order(order_id: int) -> Order:
    try:
        return selectors.order_detail(order_id)
    except Order.DoesNotExist:
        raise NotFound(_("No order %(id)s.") % {"id": order_id}) from None


@router.post(
    "orders",
    response={201: dict, 409: ErrorOut},
    auth=needs("aftersales.add_order"),
    openapi_extra=body_doc(OrderCreateIn),
)
def create_order(request: HttpRequest) -> Status:
    order = actions.check_create_order(body_of(request), actor=request.user, source="api")
    return Status(201, order_out(_order(order.pk)))


@router.get("orders/{int:order_id}", auth=needs("aftersales.view_order"))
def get_order(request: HttpRequest, order_id: int) -> dict[str, Any]:
    require(request.user, "aftersales.view_order")
    return order_out(_order(order_id))


@router.post(
    "shipments/{shipment_id}/events", auth=needs("aftersales.ship_order"), openapi_extra=body_doc(ShipmentEventsIn)
)
def shipment_events(request: HttpRequest, shipment_id: str) -> dict[str, Any]:
    """Tracking events from the courier: one object or ``{"events": [...]}``, each with ``kind``
    (or ``status``; kefu's kinds or the courier's words, e.g. 已签收), ``time`` (ISO-8601 with a
    zone), ``location``, ``description`` and the courier's ``id`` (resending it stores it once)."""
    require(request.user, "aftersales.ship_order")
    shipment = actions.shipment_of(shipment_id)
    body = body_of(request)
    stored = posted.accept(shipment, body, now=clock.now())
    shipment.refresh_from_db()
    return {"stored": len(stored), "shipment": shipment_out(shipment)}


@router.post("shipping/quote", auth=needs("aftersales.view_shippingrate"), openapi_extra=body_doc(ShippingQuoteIn))
def shipping_quote(request: HttpRequest) -> dict[str, Any]:
    """``{"weight_grams": 1500, "province": "广东", "courier": "顺丰"?}`` or ``{"lines": [{"sku",
    "quantity"}], "shop": CODE?, "province"}`` → quotes per courier, cheapest first."""
    require(request.user, "aftersales.view_shippingrate")
    body = body_of(request)
    if not isinstance(body, dict):
        raise ValidationFailed(_("The request body must be a JSON object."))
    weight = weight_of(body)
    province = str(body.get("province") or "").strip()
    if not province:
        raise ValidationFailed(_("Name the destination province."), field="province")
    courier = str(body.get("courier") or "").strip()
    quotes = selectors.quote(weight, province, courier)
    if not quotes:
        raise ValidationFailed(
            _("No shipping rate covers %(province)s%(courier)s.")
            % {"province": province, "courier": f" ({courier})" if courier else ""},
            field="province",
        )
    return {"weight_grams": weight, "province": province, "quotes": [q.as_dict() for q in quotes]}


def weight_of(body: dict[str, Any]) -> int:
    from kefu.shops.models import Product

    if body.get("weight_grams") not in (None, ""):
        raw = body["weight_grams"]
        if isinstance(raw, bool) or not params.is_digits(str(raw).strip()) or not 1 <= int(raw) <= 1_000_000:
            raise ValidationFailed(_("weight_grams must be a whole number of grams (1–1000000)."), field="weight_grams")
        return int(raw)
    lines = body.get("lines")
    if not isinstance(lines, list) or not lines:
        raise ValidationFailed(_("Give weight_grams or lines of {sku, quantity}."), field="weight_grams")
    total = 0
    for i, line in enumerate(lines, start=1):
        if not isinstance(line, dict):
            raise ValidationFailed(_("Line %(n)d must be an object.") % {"n": i}, field="lines")
        products = Product.objects.filter(sku=str(line.get("sku") or ""))
        if body.get("shop"):
            products = products.filter(shop__code=str(body["shop"]))
        product = products.first()
        if product is None:
            raise ValidationFailed(
                _("Line %(n)d: no product with SKU “%(sku)s”.") % {"n": i, "sku": line.get("sku")}, field="lines"
            )
        quantity = str(line.get("quantity", 1))
        if not params.is_digits(quantity) or int(quantity) < 1:
            raise ValidationFailed(_("Line %(n)d: the quantity must be a whole number.") % {"n": i}, field="lines")
        total += product.weight_grams * int(quantity)
    return max(total, 1)
