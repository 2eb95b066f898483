"""Template helpers of the orders pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def percent(value: Any) -> str:
    return "—" if value is None else f"{float(value) * 100:.1f}%"


@register.simple_tag
def compensation_url(order_id: Any, customer_id: Any, source: str = "logistics", source_id: Any = "") -> str:
    """The compensation page of contract F (``web:compensation-new``), with the order filled in."""
    from urllib.parse import urlencode

    from django.urls import NoReverseMatch, reverse

    try:
        base = reverse("web:compensation-new")
    except NoReverseMatch:  # the cases app has not landed: the documented path
        base = "/compensations/new/"
    query = {"order": order_id, "customer": customer_id, "source": source, "source_id": source_id}
    return f"{base}?{urlencode(query)}"


@register.inclusion_tag("aftersales/_orders_panel.html", takes_context=True)
def orders_panel(context: Any, conversation: Any = None, customer: Any = None) -> dict[str, Any]:
    """The customer's orders beside a conversation (with its linked order and the fee tool) or in
    the customer file."""
    from kefu.aftersales import selectors
    from kefu.core.actions import has_perm

    request = context.get("request")
    user = getattr(request, "user", None)
    if customer is None and conversation is not None:
        customer = conversation.customer
    linked = selectors.linked_order(conversation=conversation) if conversation is not None else None
    orders = list(selectors.orders_of(customer)[:8]) if customer is not None else []
    shipment = linked.shipments.order_by("-id").first() if linked is not None else None
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "conversation": conversation,
        "customer": customer,
        "linked": linked,
        "linked_shipment": shipment,
        "estimate_text": selectors.estimate_text(linked) if linked is not None else "",
        "order_vars": selectors.template_values(linked) if linked is not None else {},
        "orders": orders,
        "provinces": selectors.provinces() if conversation is not None else [],
        "can_link": has_perm(user, "aftersales.link_order"),
        "can_add": has_perm(user, "aftersales.add_order"),
        "can_notify": has_perm(user, "aftersales.notify_tracking"),
        "can_quote": has_perm(user, "aftersales.view_shippingrate"),
        "can_view": has_perm(user, "aftersales.view_order"),
    }
