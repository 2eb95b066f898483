from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from kefu.core.actions import require
from kefu.core.api_auth import needs
from kefu.customers import actions
from kefu.customers.models import Customer
from kefu.customers.selectors import search_customers

router = Router(tags=["customers"])


class IdentityIn(Schema):
    kind: str
    value: str


class CustomerCreateIn(Schema):
    name: str = ""
    gender: str = ""
    salutation: str = ""
    company: str = ""
    customer_type: str = "potential"
    identities: list[IdentityIn] = Field(default_factory=list)


class CustomerRemarkIn(Schema):
    text: str


def customer_out(c: Customer) -> dict[str, Any]:
    return {
        "id": c.pk,
        "name": c.name,
        "salutation": c.display_salutation,
        "gender": c.gender,
        "company": c.company,
        "vip_tier": c.vip_tier,
        "customer_type": c.customer_type,
        "score": c.score,
        "owner": c.owner.username if c.owner_id else None,
        "usual_courier": c.usual_courier,
        "preferences": c.preferences,
        "tags": [t.name for t in c.tags.all()],
        "identities": [{"kind": i.kind, "value": i.value} for i in c.identities.all()],
        "remarks": [
            {"text": r.text, "kind": r.kind, "created_at": r.created_at.isoformat()} for r in c.remarks.all()[:20]
        ],
        "merged_into": c.merged_into_id,
    }


@router.get("", auth=needs("customers.view_customer"))
def list_customers(request: HttpRequest, q: str = "", limit: int = 50) -> list[dict[str, Any]]:
    require(request.user, "customers.view_customer")
    rows = search_customers(q).prefetch_related("tags", "identities", "remarks")[: max(1, min(limit, 200))]
    return [customer_out(c) for c in rows]


@router.post("", response={201: dict}, auth=needs("customers.add_customer"))
def create_customer(request: HttpRequest, body: CustomerCreateIn) -> Status:
    data = body.dict()
    identities = [(i["kind"], i["value"]) for i in data.pop("identities")]
    customer = actions.check_create_customer(actor=request.user, identities=identities, **data)
    return Status(201, customer_out(customer))


@router.get("/{customer_id}", auth=needs("customers.view_customer"))
def get_customer(request: HttpRequest, customer_id: int) -> dict[str, Any]:
    require(request.user, "customers.view_customer")
    return customer_out(get_object_or_404(Customer, pk=customer_id))


@router.post("/{customer_id}/remarks", response={201: dict}, auth=needs("customers.add_customerremark"))
def add_remark(request: HttpRequest, customer_id: int, body: CustomerRemarkIn) -> Status:
    customer = get_object_or_404(Customer, pk=customer_id)
    remark = actions.check_add_remark(customer, body.text, actor=request.user)
    return Status(201, {"id": remark.pk, "text": remark.text})
