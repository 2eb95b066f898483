"""Writes to after-sales cases and compensations (R21, R22, R26).

``check_*`` validate (permission first) and read the clock once; ``do_*`` assume valid input and
run atomically.  Each case transition goes through its kind's state machine
(:mod:`kefu.cases.transitions`), re-arms the case's platform deadline (contract D) and tells the
customer on the channel they used (contract E).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from kefu.accounts.choices import Role
from kefu.aftersales.choices import CarrierKind, OrderStatus, ShipmentKind
from kefu.aftersales.models import Order, OrderLine, Shipment
from kefu.cases import customer_texts, limits
from kefu.cases import rules as case_rules
from kefu.cases.choices import (
    FINISHED,
    CaseKind,
    CaseReason,
    CaseStatus,
    CompensationKind,
    CompensationStatus,
)
from kefu.cases.models import Case, CasePhoto, CaseSettings, Compensation
from kefu.cases.transitions import EVENT_PERMISSION, SYSTEM_EVENTS, compensation_machine, machine_of
from kefu.core import clock
from kefu.core.actions import action, has_perm, require
from kefu.core.errors import Conflict, KefuError, PermissionDenied, ValidationFailed
from kefu.core.events import record_audit
from kefu.core.models import Notification
from kefu.core.notifications import StaffNote, do_notify_staff
from kefu.core.uploads import check_upload
from kefu.customers.models import Customer
from kefu.sla import deadlines

R = TypeVar("R")
log = logging.getLogger(__name__)

MAX_PHOTOS = 9
MAX_AMOUNT = Decimal("1000000")
# The courier recorded when the buyer only said how they shipped (data, like a courier's name).
DEFAULT_COURIER = {CarrierKind.EXPRESS: "快递", CarrierKind.POST: "中国邮政"}


def _positional_actor(fn: Callable[..., R]) -> Callable[..., R]:
    """Contract F takes the actor as the first positional argument; the action registry reads it
    as a keyword."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> R:
        if args and "actor" not in kwargs:
            kwargs["actor"], args = args[0], args[1:]
        return fn(*args, **kwargs)

    return wrapper


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def parse_amount(value: Any, *, what: str) -> Decimal:
    try:
        amount = Decimal(str(value).strip() or "0")
    except (InvalidOperation, ValueError):
        raise ValidationFailed(_("%(what)s is not an amount of money.") % {"what": what}) from None
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT:
        raise ValidationFailed(_("%(what)s must be between 0 and 1,000,000 yuan.") % {"what": what})
    return amount.quantize(Decimal("0.01"))


# --- creating a case ---------------------------------------------------------------------------


def check_photos(photos: Sequence[UploadedFile]) -> None:
    if len(photos) > MAX_PHOTOS:
        raise ValidationFailed(_("At most %(n)d photos per case.") % {"n": MAX_PHOTOS})
    for photo in photos:
        check_upload(photo, images_only=True)


def clean_case(
    order: Order,
    *,
    kind: str,
    reason: str,
    amount: Any,
    order_line: OrderLine | None,
    unused: bool,
    original_packaging: bool,
    photos: Sequence[UploadedFile] | None,
    now: datetime,
) -> Decimal:
    """Validate a new case (everything but the duplicate check, which needs the order's lock)."""
    if kind not in CaseKind.values:
        raise ValidationFailed(_("Unknown case kind “%(kind)s”.") % {"kind": kind}, field="kind")
    if reason not in CaseReason.values:
        raise ValidationFailed(_("Unknown reason “%(reason)s”.") % {"reason": reason}, field="reason")
    if order.status == OrderStatus.CANCELLED:
        raise ValidationFailed(_("Order %(order)s is cancelled: there is nothing to refund.") % {"order": order.number})
    if order.status in (OrderStatus.PENDING_CONFIRMATION, OrderStatus.PENDING_PAYMENT):
        raise ValidationFailed(_("Order %(order)s has not been paid yet.") % {"order": order.number})
    if order_line is not None and order_line.order_id != order.pk:
        raise ValidationFailed(_("That line is not part of order %(order)s.") % {"order": order.number})
    value = parse_amount(amount, what=_("The amount"))
    if value > order.paid_amount:
        raise ValidationFailed(
            _("The amount ¥%(amount)s is more than the order's paid amount ¥%(paid)s.")
            % {"amount": value, "paid": order.paid_amount},
            field="amount",
        )
    if kind in (CaseKind.REFUND_ONLY, CaseKind.RETURN_REFUND) and value <= 0:
        raise ValidationFailed(_("A refund needs an amount above zero."), field="amount")
    rules = CaseSettings.current()
    if reason == CaseReason.NO_REASON:
        if order.delivered_at is None:
            raise ValidationFailed(_("A no-reason return starts from receipt, and this order was not delivered yet."))
        if now > order.delivered_at + timedelta(days=rules.no_reason_days):
            raise ValidationFailed(
                _("The %(days)d days for a no-reason return after receipt have passed.")
                % {"days": rules.no_reason_days}
            )
        if not (unused and original_packaging):
            raise ValidationFailed(
                _("A no-reason return needs the goods unused and in their intact original packaging: tick both.")
            )
    if photos is not None:
        check_photos(photos)
        if not photos and case_rules.reason_rule(reason).photos_required:
            raise ValidationFailed(_("This reason needs evidence photos: add at least one."), field="photos")
    return value


@action("cases.add_case")
def check_create_case(
    order: Order,
    *,
    actor: Any,
    kind: str,
    reason: str,
    amount: Any,
    description: str = "",
    order_line: OrderLine | None = None,
    conversation: Any = None,
    unused: bool = False,
    original_packaging: bool = False,
    photos: Sequence[UploadedFile] | None = None,
    owner: Any = None,
    team: Any = None,
) -> Case:
    """Open a case.  ``photos`` None means the caller (the JSON API) cannot attach any: they
    are added later, and agreeing a claim that needs them waits for them."""
    now = clock.now()
    value = clean_case(
        order,
        kind=kind,
        reason=reason,
        amount=amount,
        order_line=order_line,
        unused=unused,
        original_packaging=original_packaging,
        photos=photos,
        now=now,
    )
    if len(description) > 5000:
        raise ValidationFailed(_("The description has at most 5,000 characters."))
    return do_create_case(
        order,
        kind=kind,
        reason=reason,
        amount=value,
        description=description.strip(),
        order_line=order_line,
        conversation=conversation,
        unused=unused,
        original_packaging=original_packaging,
        photos=photos or (),
        owner=owner if owner is not None else _user(actor),
        team=team,
        actor=actor,
        now=now,
    )


def do_create_case(
    order: Order,
    *,
    kind: str,
    reason: str,
    amount: Decimal,
    now: datetime,
    actor: Any = None,
    description: str = "",
    order_line: OrderLine | None = None,
    conversation: Any = None,
    unused: bool = False,
    original_packaging: bool = False,
    photos: Sequence[UploadedFile] = (),
    owner: Any = None,
    team: Any = None,
) -> Case:
    with transaction.atomic():
        Order.objects.select_for_update().get(pk=order.pk)  # one open case per kind and line: serialise
        duplicate = (
            Case.objects.filter(order=order, order_line=order_line, kind=kind).exclude(status__in=FINISHED).first()
        )
        if duplicate is not None:
            raise Conflict(
                _("Case %(case)s of this kind is still open on this order line.") % {"case": duplicate.number},
                case=duplicate.pk,
            )
        case = Case.objects.create(
            order=order,
            order_line=order_line,
            customer_id=order.customer_id,
            conversation=conversation,
            kind=kind,
            reason=reason,
            amount=amount,
            description=description,
            unused=unused,
            original_packaging=original_packaging,
            owner=owner,
            team=team,
            created_by=_user(actor),
            created_at=now,
            updated_at=now,
        )
        for photo in photos:
            _store_photo(case, photo, actor=actor, now=now)
        record_audit(
            case,
            "case.created",
            actor=actor,
            now=now,
            to_state=case.status,
            data={"kind": kind, "reason": reason, "amount": str(amount), "order": order.pk},
        )
        _arm(case, now)
        _tell_customer(case, "created", actor=actor, now=now)
    return case


def _store_photo(case: Case, upload: UploadedFile, *, actor: Any, now: datetime) -> CasePhoto:
    checked = check_upload(upload, images_only=True)
    photo = CasePhoto(
        case=case,
        name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        uploaded_by=_user(actor),
        uploaded_at=now,
    )
    photo.file.save(checked.name, upload, save=False)
    photo.save()
    return photo


@action("cases.change_case")
def check_add_photos(case: Case, photos: Sequence[UploadedFile], *, actor: Any) -> list[CasePhoto]:
    if not photos:
        raise ValidationFailed(_("Choose at least one photo."))
    check_photos(photos)
    if case.photos.count() + len(photos) > MAX_PHOTOS:
        raise ValidationFailed(_("At most %(n)d photos per case.") % {"n": MAX_PHOTOS})
    now = clock.now()
    with transaction.atomic():
        stored = [_store_photo(case, photo, actor=actor, now=now) for photo in photos]
        record_audit(case, "case.photos_added", actor=actor, now=now, data={"photos": [p.name for p in stored]})
        _touch(case, now)
    return stored


def _touch(case: Case, now: datetime) -> None:
    Case.objects.filter(pk=case.pk).update(updated_at=now)
    case.updated_at = now


# --- transitions -------------------------------------------------------------------------------


def _text(params: dict[str, Any], key: str, limit: int = 300) -> str:
    return str(params.get(key) or "").strip()[:limit]


def clean_event(case: Case, event: str, params: dict[str, Any]) -> dict[str, Any]:
    """The fields an event writes, from its parameters (``ValidationFailed`` names what is wrong)."""
    updates: dict[str, Any] = {}
    if event == "agree" and case.kind != CaseKind.REFUND_ONLY:
        for field in ("return_address", "return_contact", "return_phone"):
            if params.get(field):
                updates[field] = _text(params, field, 200)
    if event == "agree" and case_rules.reason_rule(case.reason).photos_required and not case.photos.exists():
        raise ValidationFailed(_("This claim needs evidence photos before it can be agreed."), field="photos")
    if event == "refuse":
        updates["refuse_reason"] = _text(params, "reason")
        if not updates["refuse_reason"]:
            raise ValidationFailed(_("Say why the request is refused."), field="reason")
    elif event == "buyer_shipped":
        carrier = str(params.get("carrier_kind") or "")
        if carrier not in CarrierKind.values:
            raise ValidationFailed(_("The return goes by express or by post."), field="carrier_kind")
        tracking = _text(params, "tracking_no", 60)
        if not tracking:
            raise ValidationFailed(_("The return needs its tracking number."), field="tracking_no")
        updates.update(return_carrier_kind=carrier, return_tracking_no=tracking)
    elif event in ("ship_replacement", "ship_repaired"):
        if not _text(params, "tracking_no", 60) or not _text(params, "courier", 40):
            raise ValidationFailed(_("Give the courier and the tracking number of the parcel."), field="tracking_no")
    elif event == "request_payment":
        updates.update(
            payment_remark=_text(params, "remark"),
            green_channel=bool(params.get("green_channel")),
            sent_back_reason="",
        )
    elif event == "send_back":
        updates["sent_back_reason"] = _text(params, "reason")
        if not updates["sent_back_reason"]:
            raise ValidationFailed(_("Say why the payment is sent back."), field="reason")
    return updates


def may_fire(actor: Any, event: str) -> bool:
    """Whether ``actor``'s role lets them fire ``event`` (the state is checked separately)."""
    perm = EVENT_PERMISSION.get(event)
    if perm is None or not has_perm(actor, perm):
        return False
    return event not in ("pay", "send_back") or actor.has_role(Role.FINANCE)


def allowed_events(case: Case, actor: Any) -> list[str]:
    """The next steps ``actor`` may take on ``case`` now: the buttons of the case page."""
    return [e for e in machine_of(case).allowed_events(case.status) if e not in SYSTEM_EVENTS and may_fire(actor, e)]


@action("cases.view_case")
def check_fire_event(case: Case, event: str, *, actor: Any, **params: Any) -> Case:
    """A person fires ``event`` on ``case``: 400 unknown event or bad parameters, 403 when the
    role may not, 409 when the state does not allow it."""
    if event in SYSTEM_EVENTS:
        raise PermissionDenied(_("Only the platform fires “%(event)s”, when a deadline passes.") % {"event": event})
    if event not in EVENT_PERMISSION:
        raise ValidationFailed(_("Unknown event “%(event)s”.") % {"event": event}, field="event")
    require(actor, EVENT_PERMISSION[event])
    if event in ("pay", "send_back") and not actor.has_role(Role.FINANCE):
        raise PermissionDenied(_("Only the refund specialist (finance) pays refunds."), permission="cases.pay_refund")
    machine_of(case).target(case.status, event)  # 409 before the body is judged
    updates = clean_event(case, event, params)
    return do_fire_event(case, event, actor=actor, now=clock.now(), updates=updates, params=params)


def do_fire_event(
    case: Case,
    event: str,
    *,
    actor: Any,
    now: datetime,
    updates: dict[str, Any] | None = None,
    params: dict[str, Any] | None = None,
) -> Case:
    """Move ``case`` along ``event`` (actor None: the platform), re-arm its deadline, tell the customer."""
    updates = dict(updates or {})
    params = params or {}
    with transaction.atomic():
        locked = Case.objects.select_for_update().select_related("order__shop").get(pk=case.pk)
        machine = machine_of(locked)
        machine.target(locked.status, event)
        if event in ("agree", "auto_agree") and locked.kind != CaseKind.REFUND_ONLY:
            updates.update(_return_terms(locked, updates))
        if event == "request_payment":
            updates.update(payment_requested_at=now, payment_requested_by=_user(actor))
        elif event == "send_back":
            updates["payment_requested_at"] = None
        elif event == "pay":
            updates.update(paid_at=now, paid_by=_user(actor))
        elif (
            event in ("auto_agree", "auto_refund")
            and machine.transitions[(locked.status, event)] == CaseStatus.REFUNDED
        ):
            updates["paid_at"] = now  # the platform paid the buyer from the order's escrow
        if event == "buyer_shipped":
            updates["return_shipment"] = _shipment(
                locked, ShipmentKind.RETURN, params.get("courier") or "", updates, actor=actor, now=now
            )
        elif event in ("ship_replacement", "ship_repaired"):
            shipment_fields = {
                "return_carrier_kind": str(params.get("carrier_kind") or CarrierKind.EXPRESS),
                "return_tracking_no": _text(params, "tracking_no", 60),
            }
            updates["outbound_shipment"] = _shipment(
                locked, ShipmentKind.REPLACEMENT, _text(params, "courier", 40), shipment_fields, actor=actor, now=now
            )
        audit = {k: str(v) for k, v in params.items() if k in ("reason", "remark", "tracking_no", "carrier_kind")}
        if actor is None:
            audit["by"] = "platform"
        requested_by = locked.payment_requested_by_id
        machine.transition(locked, event, actor=actor, now=now, updates=updates, data=audit or None)
        _arm(locked, now)
        _tell_customer(locked, event, actor=actor, now=now)
        if event == "send_back" and requested_by:
            _tell_colleague(locked, requested_by, now=now)
    locked.refresh_from_db()
    for field in locked._meta.concrete_fields:
        setattr(case, field.attname, getattr(locked, field.attname))
    return case


def _tell_colleague(case: Case, user_id: int, *, now: datetime) -> None:
    """Finance sent a payment back: the agent who asked for it sees why, with a link."""
    text = _("Finance sent back the refund of %(case)s: %(reason)s") % {
        "case": case.number,
        "reason": case.sent_back_reason,
    }
    do_notify_staff([StaffNote(user_id, Notification.Kind.AUTOMATION, text, url=f"/cases/{case.pk}/")], now=now)


def _return_terms(case: Case, given: dict[str, Any]) -> dict[str, Any]:
    """Where the return goes and who pays its postage: the shop's details unless overridden."""
    shop = case.order.shop
    rules = CaseSettings.current()
    return {
        "return_address": given.get("return_address") or shop.return_address,
        "return_contact": given.get("return_contact") or rules.return_contact or shop.name,
        "return_phone": given.get("return_phone") or shop.phone,
        "postage_payer": case_rules.reason_rule(case.reason).postage_payer,
    }


def _shipment(case: Case, kind: str, courier: str, fields: dict[str, Any], *, actor: Any, now: datetime) -> Shipment:
    """Track a parcel of the case (the buyer's return, or our replacement / repaired item)."""
    from kefu.aftersales.actions import do_create_shipment

    return do_create_shipment(
        case.order,
        kind=kind,
        courier=courier or DEFAULT_COURIER.get(fields["return_carrier_kind"], "快递"),
        tracking_no=fields["return_tracking_no"],
        carrier_kind=fields["return_carrier_kind"] or CarrierKind.EXPRESS,
        actor=actor,
        now=now,
    )


# --- deadlines (contract D) --------------------------------------------------------------------


def _arm(case: Case, now: datetime) -> None:
    """Stop what no longer runs and start the deadline of the case's new state."""
    rules = CaseSettings.current()
    planned = case_rules.plan(case, rules)
    deadlines.stop(case, now=now)
    if planned is None:
        Case.objects.filter(pk=case.pk).update(due_name="", due_at=None)
        case.due_name, case.due_at = "", None
        return
    deadlines.set(
        case,
        planned.name,
        planned.due_at,
        now=now,
        warn_before=timedelta(hours=rules.warn_hours),
        owner=case.owner,
        team=case.team,
        text=f"{case.number} {case_rules.consequence(case, planned.name)}",
        url=f"/cases/{case.pk}/",
        data={"state": case.status, "event": planned.event},
    )
    Case.objects.filter(pk=case.pk).update(due_name=planned.name, due_at=planned.due_at)
    case.due_name, case.due_at = planned.name, planned.due_at


def on_deadline_passed(due: list[deadlines.Due], now: datetime) -> None:
    """The platform's automatic outcome of each passed deadline, once: only when the case is
    still in the state that set it (it may have moved on in the same instant)."""
    for one in due:
        case = Case.objects.select_for_update().filter(pk=one.object_id).first()
        if case is None or case.status != one.data.get("state"):
            continue
        event = case_rules.OUTCOME_EVENT.get(one.name)
        if event is None or not machine_of(case).can(case.status, event):
            continue
        do_fire_event(case, event, actor=None, now=now)


def on_shipment_delivered(shipment: Shipment, now: datetime) -> None:
    """A replacement or repaired item reached the buyer: the case is complete."""
    for case in Case.objects.filter(
        outbound_shipment=shipment, status__in=(CaseStatus.REPLACEMENT_SHIPPED, CaseStatus.REPAIRED_SHIPPED)
    ):
        with transaction.atomic():
            locked = Case.objects.select_for_update().get(pk=case.pk)
            if machine_of(locked).can(locked.status, "complete"):
                do_fire_event(locked, "complete", actor=None, now=now)


# --- telling the customer (contract E) ---------------------------------------------------------


def _tell_customer(case: Case, event: str, *, actor: Any, now: datetime) -> None:
    text = customer_texts.text_for(case, event, due_at=case.due_at)
    if text:
        _notify(case.customer, text, order=case.order, conversation=case.conversation, now=now, actor=actor)


def _notify(
    customer: Customer, text: str, *, order: Order | None, now: datetime, actor: Any, conversation: Any = None
) -> None:
    """Tell the customer; a channel that cannot take the message (a closed conversation) must not
    undo the case's step, so the attempt runs in its own savepoint and a refusal is logged."""
    from kefu.aftersales.notify import notify_customer

    try:
        with transaction.atomic():
            notify_customer(customer, text, order=order, conversation=conversation, now=now, actor=_user(actor))
    except KefuError as exc:
        log.warning("customer not told", extra={"customer": customer.pk, "reason": str(exc.message)})


# --- compensation (contract F) -----------------------------------------------------------------


def clean_compensation(
    *, customer: Customer, kind: str, amount: Any, reason: str, order: Order | None, note: str
) -> Decimal:
    if kind not in CompensationKind.values:
        raise ValidationFailed(_("A compensation is a coupon, a gift or money."), field="kind")
    value = parse_amount(amount, what=_("The amount"))
    if kind != CompensationKind.GIFT and value <= 0:
        raise ValidationFailed(_("A coupon or money needs an amount above zero."), field="amount")
    if not reason.strip() or len(reason) > 200:
        raise ValidationFailed(_("Give the reason for the compensation (at most 200 characters)."), field="reason")
    if len(note) > 300:
        raise ValidationFailed(_("The note has at most 300 characters."), field="note")
    if customer.merged_into_id:
        raise ValidationFailed(_("That customer was merged into another; use the other one."))
    if order is not None and order.customer_id != customer.pk:
        raise ValidationFailed(_("Order %(order)s belongs to another customer.") % {"order": order.number})
    return value


@_positional_actor
@action("cases.add_compensation")
def check_offer_compensation(
    *,
    actor: Any,
    customer: Customer,
    kind: str,
    amount: Any,
    reason: str,
    order: Order | None = None,
    note: str = "",
    source: str = "",
    source_id: str = "",
    now: datetime | None = None,
) -> Compensation:
    """Offer a compensation: approved at once up to the limit (or when a supervisor offers it),
    otherwise waiting for a supervisor's approval."""
    value = clean_compensation(customer=customer, kind=kind, amount=amount, reason=reason, order=order, note=note)
    return do_offer_compensation(
        customer=customer,
        kind=kind,
        amount=value,
        reason=reason.strip(),
        order=order,
        note=note.strip(),
        source=str(source)[:20],
        source_id=str(source_id)[:40],
        actor=actor,
        now=now or clock.now(),
    )


def do_offer_compensation(
    *,
    customer: Customer,
    kind: str,
    amount: Decimal,
    reason: str,
    now: datetime,
    actor: Any = None,
    order: Order | None = None,
    note: str = "",
    source: str = "",
    source_id: str = "",
) -> Compensation:
    approver = has_perm(actor, "cases.approve_compensation")
    with transaction.atomic():
        limits.lock_customer(customer)
        seen = limits.window_view(customer=customer, source=source, source_id=source_id, now=now)
        within = seen.allows(amount)
        approved = within or approver
        comp = Compensation.objects.create(
            customer=customer,
            order=order,
            kind=kind,
            amount=amount,
            reason=reason,
            note=note,
            source=source,
            source_id=source_id,
            status=CompensationStatus.APPROVED if approved else CompensationStatus.PENDING_APPROVAL,
            created_by=_user(actor),
            created_at=now,
            updated_at=now,
            decided_by=_user(actor) if approved and not within else None,
            decided_at=now if approved else None,
        )
        record_audit(
            comp,
            "compensation.offered",
            actor=actor,
            now=now,
            to_state=comp.status,
            data={
                "kind": kind,
                "amount": str(amount),
                "reason": reason,
                "limit": str(seen.limit),
                "window_days": seen.window_days,
                "window_sum": str(seen.window_sum),
            },
        )
        if approved:
            limits.record_approval(comp, seen=seen, approver=None if within else _user(actor), now=now)
        if approved:
            _tell_compensation(comp, actor=actor, now=now)
    return comp


@_positional_actor
@action("cases.approve_compensation")
def check_approve_compensation(
    compensation: Compensation, *, actor: Any, approve: bool = True, note: str = "", now: datetime | None = None
) -> Compensation:
    if len(note) > 300:
        raise ValidationFailed(_("The note has at most 300 characters."), field="note")
    if not approve and not note.strip():
        raise ValidationFailed(_("Say why the compensation is rejected."), field="note")
    return do_decide_compensation(compensation, approve=approve, note=note.strip(), actor=actor, now=now or clock.now())


def do_decide_compensation(
    compensation: Compensation, *, approve: bool, note: str, actor: Any, now: datetime
) -> Compensation:
    with transaction.atomic():
        if approve:
            limits.lock_customer(compensation.customer)
            seen = limits.window_view(
                customer=compensation.customer,
                source=compensation.source,
                source_id=compensation.source_id,
                now=now,
                exclude=compensation.pk,
            )
        compensation_machine.transition(
            compensation,
            "approve" if approve else "reject",
            actor=actor,
            now=now,
            updates={"decided_by": _user(actor), "decided_at": now, "decision_note": note},
            data={"note": note} if note else None,
        )
        if approve:
            limits.record_approval(compensation, seen=seen, approver=_user(actor), now=now)
            _tell_compensation(compensation, actor=actor, now=now)
    return compensation


def _tell_compensation(comp: Compensation, *, actor: Any, now: datetime) -> None:
    what = {"coupon": f"一张 ¥{comp.amount} 优惠券", "gift": "一份小礼品", "money": f"¥{comp.amount} 补偿金"}
    text = f"非常抱歉给您带来不便，我们特别为您申请了{what[comp.kind]}，感谢您的理解与支持！"
    _notify(comp.customer, text, order=comp.order, now=now, actor=actor)
