"""REST endpoints of the webhooks app (mounted by kefu.web.api), for administrators:
endpoints, the delivery log and replay (docs/webhooks.md)."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field, StrictBool, StrictStr

from kefu.core.actions import require
from kefu.core.api_auth import needs
from kefu.core.errors import NotFound
from kefu.webhooks import actions
from kefu.webhooks.choices import EVENT_TYPES
from kefu.webhooks.models import Delivery, Endpoint

router = Router(tags=["webhooks"])


EventType = Literal[EVENT_TYPES]  # type: ignore[valid-type]


class WebhookEndpointIn(Schema):
    name: StrictStr = Field(min_length=1, max_length=80, pattern=r"\S")
    url: StrictStr = Field(max_length=500, pattern=r"^https?://[^/?#@\s]+(/[^\s]*)?$")
    event_types: list[EventType] = Field(min_length=1)  # type: ignore[valid-type]
    secret: StrictStr = Field(
        "",
        max_length=200,
        pattern=r"^$|^\S[\s\S]{14,198}\S$",
        description="empty: generated; else 16 to 200 characters",
    )
    active: StrictBool = True


class WebhookEndpointOut(Schema):
    id: int
    name: str
    url: str
    event_types: list[str]
    active: bool
    secret: str | None = None


class WebhookDeliveryOut(Schema):
    id: int
    endpoint: int
    event: str
    event_id: str
    status: str
    attempts: int
    status_code: int | None
    error: str
    response_excerpt: str
    next_attempt_at: str | None
    delivered_at: str | None
    created_at: str
    replay_of: int | None
    log: list[dict[str, Any]]


def endpoint_out(endpoint: Endpoint, *, with_secret: bool = False) -> dict[str, Any]:
    return {
        "id": endpoint.pk,
        "name": endpoint.name,
        "url": endpoint.url,
        "event_types": list(endpoint.event_types),
        "active": endpoint.active,
        "secret": endpoint.secret if with_secret else None,
    }


def delivery_out(delivery: Delivery) -> dict[str, Any]:
    return {
        "id": delivery.pk,
        "endpoint": delivery.endpoint_id,
        "event": delivery.event_type,
        "event_id": delivery.event_key,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "status_code": delivery.status_code,
        "error": delivery.error,
        "response_excerpt": delivery.response_excerpt,
        "next_attempt_at": delivery.next_attempt_at.isoformat() if delivery.next_attempt_at else None,
        "delivered_at": delivery.delivered_at.isoformat() if delivery.delivered_at else None,
        "created_at": delivery.created_at.isoformat(),
        "replay_of": delivery.replay_of_id,
        "log": list(delivery.log),
    }


@router.get("/webhooks/endpoints", response=list[WebhookEndpointOut], auth=needs("webhooks.view_endpoint"))
def list_endpoints(request: HttpRequest) -> list[dict[str, Any]]:
    """Every endpoint (the signing secret is never listed)."""
    require(request.user, "webhooks.view_endpoint")
    return [endpoint_out(e) for e in Endpoint.objects.all()]


@router.post("/webhooks/endpoints", response={201: WebhookEndpointOut}, auth=needs("webhooks.add_endpoint"))
def create_endpoint(request: HttpRequest, body: WebhookEndpointIn) -> Status:
    """A new endpoint; the answer holds its signing secret, the only time it is shown."""
    endpoint = actions.check_create_endpoint(
        actor=request.user,
        name=body.name,
        url=body.url,
        event_types=body.event_types,
        secret=body.secret,
        active=body.active,
    )
    return Status(201, endpoint_out(endpoint, with_secret=True))


@router.get("/webhooks/deliveries", response=list[WebhookDeliveryOut], auth=needs("webhooks.view_delivery"))
def list_deliveries(
    request: HttpRequest,
    endpoint: int | None = None,
    status: Literal["pending", "delivered", "failed"] | None = None,
) -> list[dict[str, Any]]:
    """The delivery log, newest first (at most 200)."""
    require(request.user, "webhooks.view_delivery")
    rows = Delivery.objects.all()
    if endpoint is not None:
        if not 0 < endpoint < 2**63:
            return []
        rows = rows.filter(endpoint_id=endpoint)
    if status is not None:
        rows = rows.filter(status=status)
    return [delivery_out(d) for d in rows[:200]]


@router.post(
    "/webhooks/deliveries/{delivery_id}/replay",
    response={202: WebhookDeliveryOut},
    auth=needs("webhooks.replay_delivery"),
)
def replay_delivery(request: HttpRequest, delivery_id: int) -> Status:
    """Send a delivery's payload again, as a new delivery (sent by the worker within seconds)."""
    require(request.user, "webhooks.replay_delivery")
    delivery = None
    if 0 < delivery_id < 2**63:
        delivery = Delivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None:
        raise NotFound(_("There is no webhook delivery #%(id)s.") % {"id": delivery_id})
    return Status(202, delivery_out(actions.check_replay_delivery(delivery, actor=request.user)))
