"""Reads of cases and compensations: the workbench, the finance queue, the approval queue and
the cost report (R40)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from kefu.cases.choices import (
    FINISHED,
    CaseKind,
    CaseStatus,
    CompensationKind,
    CompensationReason,
    CompensationStatus,
    DeadlineName,
)
from kefu.cases.models import Case, Compensation, CompensationApproval
from kefu.cases.rules import consequence
from kefu.core import params
from kefu.sla import deadlines


@dataclass(frozen=True)
class CaseFilters:
    kind: str = ""
    owner: str = ""  # a user id, "me" or ""
    status: str = "open"  # "open", "all" or one status

    @classmethod
    def from_query(cls, query: Any) -> CaseFilters:
        kind = query.get("kind", "")
        status = query.get("status", "open")
        return cls(
            kind=kind if kind in CaseKind.values else "",
            owner=query.get("owner", ""),
            status=status if status in ("open", "all", *CaseStatus.values) else "open",
        )


def workbench(user: Any, filters: CaseFilters) -> QuerySet[Case]:
    """Cases by deadline, the nearest (and the overdue) first; cases without one after them."""
    cases = Case.objects.select_related("order", "customer", "owner", "team")
    if filters.status == "open":
        cases = cases.exclude(status__in=FINISHED)
    elif filters.status != "all":
        cases = cases.filter(status=filters.status)
    if filters.kind:
        cases = cases.filter(kind=filters.kind)
    if filters.owner == "me":
        cases = cases.filter(owner=user)
    elif params.is_digits(filters.owner):
        cases = cases.filter(owner_id=int(filters.owner))
    return cases.order_by(F("due_at").asc(nulls_last=True), "-id")


def finance_queue() -> QuerySet[Case]:
    """Refunds waiting for finance: the green channel first, then the oldest request."""
    return (
        Case.objects.filter(status=CaseStatus.PAYMENT_REQUESTED)
        .select_related("order", "customer", "payment_requested_by")
        .order_by("-green_channel", "payment_requested_at", "id")
    )


@dataclass(frozen=True)
class RunningDeadline:
    name: str
    label: str
    due_at: datetime
    overdue: bool
    consequence: str


def running_deadlines(case: Case, now: datetime) -> list[RunningDeadline]:
    labels = dict(DeadlineName.choices)
    return [
        RunningDeadline(name, str(labels.get(name, name)), due_at, due_at <= now, consequence(case, name))
        for name, due_at in deadlines.running(case).items()
    ]


def approval_queue() -> QuerySet[Compensation]:
    return (
        Compensation.objects.filter(status=CompensationStatus.PENDING_APPROVAL)
        .select_related("customer", "order", "created_by")
        .order_by("created_at", "id")
    )


@dataclass
class CostReport:
    """Approved compensation by month, kind and reason."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    by_kind: dict[str, Decimal] = field(default_factory=dict)
    total: Decimal = Decimal("0")
    count: int = 0


def cost_report(start: datetime | None = None, end: datetime | None = None) -> CostReport:
    comps = Compensation.objects.filter(status=CompensationStatus.APPROVED)
    if start is not None:
        comps = comps.filter(created_at__gte=start)
    if end is not None:
        comps = comps.filter(created_at__lt=end)
    grouped = (
        comps.annotate(month=TruncMonth("created_at", tzinfo=timezone.get_current_timezone()))
        .values("month", "kind", "reason")
        .annotate(total=Sum("amount"), count=Count("id"))
        .order_by("-month", "kind", "reason")
    )
    kinds = dict(CompensationKind.choices)
    reasons = dict(CompensationReason.choices)
    report = CostReport()
    cent = Decimal("0.01")
    for row in grouped:
        row["total"] = Decimal(row["total"]).quantize(cent)
        report.rows.append(
            {
                "month": row["month"],
                "kind": row["kind"],
                "kind_label": str(kinds.get(row["kind"], row["kind"])),
                "reason": row["reason"],
                "reason_label": str(reasons.get(row["reason"], row["reason"])),
                "count": row["count"],
                "total": row["total"],
            }
        )
        report.by_kind[row["kind"]] = report.by_kind.get(row["kind"], Decimal("0")) + row["total"]
        report.total += row["total"]
        report.count += row["count"]
    return report


def approvals(start: datetime | None = None, end: datetime | None = None) -> QuerySet[CompensationApproval]:
    """Each approval (newest first) with who approved, when, the amount and the window sum seen."""
    rows = CompensationApproval.objects.select_related("compensation__customer", "compensation__order", "approved_by")
    if start is not None:
        rows = rows.filter(approved_at__gte=start)
    if end is not None:
        rows = rows.filter(approved_at__lt=end)
    return rows.order_by("-approved_at", "-id")
