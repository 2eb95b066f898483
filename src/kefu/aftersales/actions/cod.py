"""Cash on delivery (R24): the confirmation call and its outcome (confirm, decline, switch to online
payment)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kefu.aftersales.actions.orders import ADDRESS_FIELDS, _set_estimate, do_transition_order
from kefu.aftersales.choices import (
    CodOutcome,
    OrderStatus,
    Payment,
)
from kefu.aftersales.models import (
    AftersalesSettings,
    CodCall,
    Order,
    OrderLine,
)
from kefu.core import clock
from kefu.core.actions import action
from kefu.core.errors import Conflict, ValidationFailed
from kefu.core.events import record_audit

# ---- cash on delivery (R24) -----------------------------------------------------------------------


def do_record_cod_call(
    order: Order, outcome: str, *, actor: Any, now: datetime, note: str = "", reorder_online: bool = False
) -> tuple[Order, Order | None]:
    """Record one confirmation call. Confirmed: the order may ship. Declined: cancelled, or
    re-ordered as an online-payment order waiting for payment. Unreachable: call again after
    the configured hours, cancelled after the configured number of calls. Returns the order
    and the new online order, if any."""
    if outcome not in CodOutcome.values:
        raise ValidationFailed(_("Unknown outcome “%(outcome)s”.") % {"outcome": outcome}, field="outcome")
    if len(note) > 300:
        raise ValidationFailed(_("The note has at most 300 characters."), field="note")
    config = AftersalesSettings.load()
    new_order: Order | None = None
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.status != OrderStatus.PENDING_CONFIRMATION:
            raise Conflict(
                _("Order %(number)s is not waiting for a COD confirmation.") % {"number": locked.number},
                state=locked.status,
            )
        attempts = locked.cod_attempts + 1
        CodCall.objects.create(
            order=locked,
            outcome=outcome,
            note=note,
            reorder_online=reorder_online and outcome == CodOutcome.DECLINED,
            actor=actor if getattr(actor, "pk", None) else None,
            called_at=now,
        )
        data = {"attempt": attempts, "note": note} if note else {"attempt": attempts}
        common = {"cod_attempts": attempts, "cod_call_due_at": None}
        if outcome == CodOutcome.CONFIRMED:
            do_transition_order(locked, "cod_confirm", actor=actor, now=now, data=data, **common)
        elif outcome == CodOutcome.DECLINED:
            do_transition_order(locked, "cod_decline", actor=actor, now=now, data=data, **common)
            if reorder_online:
                new_order = _reorder_online(locked, actor=actor, now=now)
        elif attempts >= config.cod_max_attempts:
            do_transition_order(
                locked, "cancel", actor=actor, now=now, data={**data, "cause": "cod_unreachable"}, **common
            )
        else:
            retry = now + timedelta(hours=config.cod_retry_hours)
            do_transition_order(
                locked, "cod_unreachable", actor=actor, now=now, data=data, cod_attempts=attempts, cod_call_due_at=retry
            )
    for name in ("status", "cod_attempts", "cod_call_due_at", "cod_confirmed_at", "cancelled_at", "estimated_ship_at"):
        setattr(order, name, getattr(locked, name))
    return order, new_order


def _reorder_online(order: Order, *, actor: Any, now: datetime) -> Order:
    copy = Order.objects.create(
        shop=order.shop,
        customer=order.customer,
        platform_order_no="",
        payment=Payment.ONLINE,
        status=OrderStatus.PENDING_PAYMENT,
        total_amount=order.total_amount - AftersalesSettings.load().cod_surcharge
        if order.total_amount > AftersalesSettings.load().cod_surcharge
        else order.total_amount,
        **{name: getattr(order, name) for name in ADDRESS_FIELDS},
        note=_("Re-ordered online from COD order %(number)s") % {"number": order.number},
        source="reorder",
        created_at=now,
        updated_at=now,
    )
    OrderLine.objects.bulk_create(
        OrderLine(
            order=copy,
            product=line.product,
            sku=line.sku,
            name=line.name,
            quantity=line.quantity,
            unit_price=line.unit_price,
            amount=line.amount,
        )
        for line in order.lines.all()
    )
    _set_estimate(copy, now)
    copy.save(update_fields=["estimated_ship_at", "estimated_arrival_at"])
    record_audit(copy, "order.created", actor=actor, now=now, to_state=copy.status, data={"reorder_of": order.pk})
    return copy


@action("aftersales.confirm_cod")
def check_record_cod_call(
    order: Order, outcome: str, *, actor: Any, note: str = "", reorder_online: bool = False
) -> tuple[Order, Order | None]:
    return do_record_cod_call(order, outcome, actor=actor, now=clock.now(), note=note, reorder_online=reorder_online)
