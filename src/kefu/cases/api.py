"""REST endpoints of after-sales cases (mounted by kefu.web.api at /api/v1/):
``/aftersales/cases`` (the issue's names) and ``/aftersales/compensations``."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from kefu.aftersales.models import Order, OrderLine
from kefu.cases import actions, selectors
from kefu.cases.choices import FINISHED
from kefu.cases.models import Case, Compensation
from kefu.conversations.models import Conversation
from kefu.core import inputs, params
from kefu.core.actions import require
from kefu.core.api_auth import needs
from kefu.core.errors import ValidationFailed
from kefu.customers.models import Customer
from kefu.sla import deadlines

router = Router(tags=["after-sales cases"])


class CaseIn(Schema):
    order: int
    kind: str
    reason: str
    amount: str = "0"
    description: str = ""
    order_line: int | None = None
    conversation: int | None = None
    unused: bool = False
    original_packaging: bool = False


class CaseEventIn(Schema):
    """``event`` plus the event's own fields (``reason``, ``carrier_kind``, ``tracking_no``, …)."""

    event: str


# The fields an event may carry, each with its parser: nothing else reaches the action.
EVENT_FIELDS: dict[str, Any] = {
    **{
        name: partial(params.text, field=name, max_length=limit)
        for name, limit in (
            ("reason", 2000),
            ("remark", 2000),
            ("carrier_kind", 20),
            ("tracking_no", 60),
            ("courier", 40),
            ("return_address", 200),
            ("return_contact", 200),
            ("return_phone", 200),
        )
    },
    "green_channel": partial(params.flag, field="green_channel"),
}


class CompensationIn(Schema):
    customer: int
    kind: str
    amount: str
    reason: str
    order: int | None = None
    note: str = ""
    source: str = ""
    source_id: str = ""


class DecisionIn(Schema):
    approve: bool
    note: str = ""


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def case_out(case: Case) -> dict[str, Any]:
    return {
        "id": case.pk,
        "number": case.number,
        "order": case.order_id,
        "order_line": case.order_line_id,
        "customer": case.customer_id,
        "conversation": case.conversation_id,
        "kind": case.kind,
        "reason": case.reason,
        "status": case.status,
        "open": case.status not in FINISHED,
        "amount": str(case.amount),
        "description": case.description,
        "owner": case.owner.username if case.owner_id and case.owner else None,
        "deadlines": {name: due.isoformat() for name, due in deadlines.running(case).items()},
        "return": {
            "address": case.return_address,
            "contact": case.return_contact,
            "phone": case.return_phone,
            "postage_payer": case.postage_payer,
            "carrier_kind": case.return_carrier_kind,
            "tracking_no": case.return_tracking_no,
        },
        "refuse_reason": case.refuse_reason,
        "payment": {
            "green_channel": case.green_channel,
            "remark": case.payment_remark,
            "requested_at": _iso(case.payment_requested_at),
            "sent_back_reason": case.sent_back_reason,
            "paid_at": _iso(case.paid_at),
        },
        "photos": case.photos.count(),
        "created_at": case.created_at.isoformat(),
        "updated_at": case.updated_at.isoformat(),
    }


def compensation_out(comp: Compensation) -> dict[str, Any]:
    return {
        "id": comp.pk,
        "customer": comp.customer_id,
        "order": comp.order_id,
        "kind": comp.kind,
        "amount": str(comp.amount),
        "reason": comp.reason,
        "note": comp.note,
        "source": comp.source,
        "source_id": comp.source_id,
        "status": comp.status,
        "created_at": comp.created_at.isoformat(),
        "decided_at": _iso(comp.decided_at),
    }


def _optional(model: Any, pk: int | None) -> Any:
    if pk is None:
        return None
    found = model.objects.filter(pk=pk).first()
    if found is None:
        raise ValidationFailed(f"{model._meta.verbose_name} {pk}?")
    return found


@router.post("/aftersales/cases", response={201: dict}, auth=needs("cases.add_case"))
def create_case(request: HttpRequest, body: CaseIn) -> Status:
    order = _optional(Order, body.order)
    case = actions.check_create_case(
        order,
        actor=request.user,
        kind=body.kind,
        reason=body.reason,
        amount=body.amount,
        description=body.description,
        order_line=_optional(OrderLine, body.order_line),
        conversation=_optional(Conversation, body.conversation),
        unused=body.unused,
        original_packaging=body.original_packaging,
    )
    return Status(201, case_out(case))


@router.get("/aftersales/cases", auth=needs("cases.view_case"))
def list_cases(request: HttpRequest, kind: str = "", status: str = "open", limit: int = 50) -> list[dict[str, Any]]:
    require(request.user, "cases.view_case")
    filters = selectors.CaseFilters.from_query({"kind": kind, "status": status})
    return [case_out(c) for c in selectors.workbench(request.user, filters)[: max(1, min(limit, 200))]]


@router.get("/aftersales/cases/{case_id}", auth=needs("cases.view_case"))
def get_case(request: HttpRequest, case_id: int) -> dict[str, Any]:
    require(request.user, "cases.view_case")
    return case_out(get_object_or_404(Case.objects.select_related("owner"), pk=case_id))


@router.post("/aftersales/cases/{case_id}/events", auth=needs("cases.view_case"))
def fire_event(request: HttpRequest, case_id: int, body: CaseEventIn) -> dict[str, Any]:
    case = get_object_or_404(Case.objects.select_related("owner"), pk=case_id)
    raw = inputs.loads(request.body, empty={})  # the event's own fields ride along with "event"
    rest = {k: v for k, v in raw.items() if k != "event"} if isinstance(raw, dict) else raw
    fields = params.body_fields(rest, EVENT_FIELDS)
    actions.check_fire_event(case, body.event, actor=request.user, **fields)
    return case_out(case)


@router.post("/aftersales/compensations", response={201: dict}, auth=needs("cases.add_compensation"))
def offer_compensation(request: HttpRequest, body: CompensationIn) -> Status:
    comp = actions.check_offer_compensation(
        request.user,
        customer=get_object_or_404(Customer, pk=body.customer),
        kind=body.kind,
        amount=body.amount,
        reason=body.reason,
        order=_optional(Order, body.order),
        note=body.note,
        source=body.source,
        source_id=body.source_id,
    )
    return Status(201, compensation_out(comp))


@router.post("/aftersales/compensations/{comp_id}/decision", auth=needs("cases.approve_compensation"))
def decide_compensation(request: HttpRequest, comp_id: int, body: DecisionIn) -> dict[str, Any]:
    comp = get_object_or_404(Compensation, pk=comp_id)
    actions.check_approve_compensation(request.user, comp, approve=body.approve, note=body.note)
    return compensation_out(comp)
