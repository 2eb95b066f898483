"""REST endpoints of the complaints app (mounted by kefu.web.api): the names integrations rely on."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from kefu.accounts.models import User
from kefu.complaints import actions, selectors
from kefu.complaints.models import Complaint
from kefu.core import clock, inputs
from kefu.core.actions import require
from kefu.core.api_auth import needs
from kefu.core.errors import NotFound, PermissionDenied, ValidationFailed
from kefu.customers.actions import do_find_or_create_by_identity
from kefu.customers.models import Customer

router = Router(tags=["complaints"])


class ComplaintCustomerIn(Schema):
    id: int | None = None
    name: str = ""
    phone: str = ""


class ComplaintIn(Schema):
    customer: ComplaintCustomerIn
    channel: str
    summary: str
    wants: str = ""
    severity: str = "normal"
    order: int | None = None
    about_staff: str | None = None
    conversation: int | None = None
    ticket: int | None = None


def _event_body(request: HttpRequest) -> tuple[str, dict[str, Any]]:
    """``{"event": NAME, …fields of the event}``; anything else is a 400."""
    data = inputs.loads(request.body, empty={})  # size, depth, NUL: kefu.core.inputs
    if not isinstance(data, dict) or not isinstance(data.get("event"), str):
        raise ValidationFailed(_('Give the event: {"event": NAME, …}.'))
    event = data.pop("event")
    return event, data


def _customer(data: ComplaintCustomerIn, actor: Any) -> Customer:
    if data.id is not None:
        return get_object_or_404(Customer, pk=data.id)
    if not data.phone.strip():
        raise ValidationFailed(_("Give the customer's phone (or id)."))
    require(actor, "customers.add_customer")
    customer, _created = do_find_or_create_by_identity(
        "phone", data.phone, now=clock.now(), defaults={"name": data.name.strip()[:80]}
    )
    return customer


def _related(model_path: str, pk: int | None) -> Any:
    if pk is None:
        return None
    from django.apps import apps

    model = apps.get_model(model_path)
    found = model._default_manager.filter(pk=pk).first()
    if found is None:
        raise ValidationFailed(_("There is no %(what)s #%(id)s.") % {"what": model._meta.verbose_name, "id": pk})
    return found


@router.post("/complaints", response={201: dict}, auth=needs("complaints.add_complaint"))
def register(request: HttpRequest, body: ComplaintIn) -> Status:
    require(request.user, "complaints.add_complaint")
    fields: dict[str, Any] = {
        "channel": body.channel,
        "summary": body.summary,
        "wants": body.wants,
        "severity": body.severity,
        "order": _related("aftersales.Order", body.order),
        "conversation": _related("conversations.Conversation", body.conversation),
        "ticket": _related("tickets.Ticket", body.ticket),
    }
    if body.about_staff:
        staff = User.objects.filter(username=body.about_staff).first()
        if staff is None:
            raise ValidationFailed(_("There is no staff member “%(name)s”.") % {"name": body.about_staff})
        fields["about_staff"] = staff
    actions.clean_register(fields)  # 400 before a customer is created
    customer = _customer(body.customer, request.user)
    complaint = actions.check_register_complaint(customer, actor=request.user, **fields)
    return Status(201, selectors.complaint_out(complaint))


def _get(pk: int) -> Complaint:
    found = Complaint.objects.select_related("customer", "handler", "received_by", "about_staff").filter(pk=pk).first()
    if found is None:
        raise NotFound(_("There is no complaint #%(id)s.") % {"id": pk})
    return found


@router.get("/complaints/{complaint_id}", auth=needs("complaints.view_complaint"))
def get_complaint(request: HttpRequest, complaint_id: int) -> dict[str, Any]:
    require(request.user, "complaints.view_complaint")
    return selectors.complaint_out(_get(complaint_id))


@router.post("/complaints/{complaint_id}/events", auth=needs("complaints.view_complaint"))
def fire_event(request: HttpRequest, complaint_id: int) -> dict[str, Any]:
    require(request.user, "complaints.view_complaint")
    complaint = _get(complaint_id)
    event, data = _event_body(request)
    actions.check_fire(complaint, event, actor=request.user, data=data)
    return selectors.complaint_out(_get(complaint_id))


@router.get("/staff/{username}/record")
def staff_record(request: HttpRequest, username: str) -> dict[str, Any]:
    staff = User.objects.filter(username=username).first()
    if staff is None:
        raise NotFound(_("There is no staff member “%(name)s”.") % {"name": username})
    if not actions.can_see_record(request.user, staff):
        raise PermissionDenied(_("Only the staff member and supervisors see this record."))
    return {"staff": staff.username, "entries": selectors.staff_record(staff, clock.now())}
