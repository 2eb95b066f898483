"""The compensation approval limit, counted so that it cannot be split (issue 20).

A new compensation is approved at once only when it, plus everything one customer (with the
customers merged into them) and one case already received or wait for within the window, stays
within the limit.  Every approval leaves a :class:`CompensationApproval` row with the sum it saw.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Q, Sum

from kefu.cases.choices import CompensationStatus
from kefu.cases.models import CaseSettings, Compensation, CompensationApproval
from kefu.customers.models import Customer

COUNTED = (CompensationStatus.APPROVED, CompensationStatus.PENDING_APPROVAL)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class WindowView:
    """What the limit check saw: the limit, the window and the largest sum within it."""

    limit: Decimal
    window_days: int
    window_sum: Decimal

    def allows(self, amount: Decimal) -> bool:
        return self.window_sum + amount <= self.limit


def _sum(comps: Any) -> Decimal:
    total = comps.aggregate(total=Sum("amount"))["total"]
    return Decimal(total or 0).quantize(CENT)


def window_view(
    *, customer: Customer, source: str, source_id: str, now: datetime, exclude: int | None = None
) -> WindowView:
    """The larger of the customer's and the case's compensation within the window before ``now``.

    Call inside a transaction after :func:`lock_customer`, so that two offers at the same moment
    see each other."""
    rules = CaseSettings.current()
    since = now - timedelta(days=rules.compensation_window_days)
    recent = Compensation.objects.filter(status__in=COUNTED, created_at__gt=since, created_at__lte=now)
    if exclude is not None:
        recent = recent.exclude(pk=exclude)
    root = customer.merged_into_id or customer.pk
    sums = [_sum(recent.filter(Q(customer_id=root) | Q(customer__merged_into_id=root)))]
    if source == "case" and source_id:
        sums.append(_sum(recent.filter(source="case", source_id=source_id)))
    return WindowView(limit=rules.compensation_limit, window_days=rules.compensation_window_days, window_sum=max(sums))


def lock_customer(customer: Customer) -> None:
    """Serialise offers to one customer (PostgreSQL row lock; SQLite writes are serial anyway)."""
    list(Customer.objects.select_for_update().filter(pk=customer.pk).values_list("pk", flat=True))


def record_approval(comp: Compensation, *, seen: WindowView, approver: Any, now: datetime) -> CompensationApproval:
    return CompensationApproval.objects.create(
        compensation=comp,
        approved_by=approver,
        approved_at=now,
        amount=comp.amount,
        window_sum=seen.window_sum,
        limit=seen.limit,
        window_days=seen.window_days,
    )
