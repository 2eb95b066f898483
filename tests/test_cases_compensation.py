"""Compensation (contract F, R26): approved at once up to the configurable limit, waiting for a
supervisor above it; the one-click 20-yuan coupon; recorded against order, customer and reason
for the cost report (R40)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
import time_machine

from kefu.cases.actions import check_approve_compensation
from kefu.cases.models import CaseSettings, Compensation
from kefu.cases.selectors import approval_queue, cost_report
from kefu.conversations.models import Message
from kefu.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from kefu.core.events import audit_trail
from tests.factories import CustomerFactory
from tests.factories_cases import offer_compensation, order_with_chat

pytestmark = pytest.mark.django_db


@pytest.fixture
def order():
    return order_with_chat()


def offer(actor, order, **kw):
    return offer_compensation(actor, order, **{"kind": "coupon", "amount": "20", **kw})


def test_within_the_limit_is_approved_at_once_and_the_customer_told(order, roles):
    # Given the default limit of ¥50, when an agent offers the one-click ¥20 coupon for a delay,
    comp = offer(roles["reception"], order, source="case", source_id="7")
    # then it is approved at once, recorded against order, customer and reason,
    assert (comp.status, comp.amount, comp.reason, comp.order, comp.customer) == (
        "approved",
        Decimal("20.00"),
        "delay",
        order,
        order.customer,
    )
    assert (comp.source, comp.source_id, comp.created_by) == ("case", "7", roles["reception"])
    assert [a.verb for a in audit_trail(comp)] == ["compensation.offered"]
    # and the customer is told in their chat.
    assert "20.00 优惠券" in Message.objects.filter(conversation__customer=order.customer).latest("id").text


def test_above_the_limit_waits_for_a_supervisor(order, roles):
    # Given an agent offering ¥80 money (limit ¥50),
    comp = offer(roles["aftersales"], order, kind="money", amount="80", reason="lost_parcel")
    # then it waits in the approval queue and the customer is not told yet;
    assert comp.status == "pending_approval"
    assert list(approval_queue()) == [comp]
    assert not Message.objects.filter(conversation__customer=order.customer).exists()
    # an agent cannot approve it,
    with pytest.raises(PermissionDenied):
        check_approve_compensation(roles["aftersales"], comp, approve=True)
    # a supervisor approves it (then the customer is told), and it cannot be decided twice.
    check_approve_compensation(roles["supervisor"], comp, approve=True, note="同意，快递丢件")
    comp.refresh_from_db()
    assert (comp.status, comp.decided_by) == ("approved", roles["supervisor"])
    assert "80.00 补偿金" in Message.objects.filter(conversation__customer=order.customer).latest("id").text
    with pytest.raises(InvalidTransition):
        check_approve_compensation(roles["supervisor"], comp, approve=False, note="再拒绝")


def test_rejecting_needs_a_reason(order, roles):
    comp = offer(roles["aftersales"], order, kind="money", amount="200", reason="service")
    with pytest.raises(ValidationFailed, match="why"):
        check_approve_compensation(roles["supervisor"], comp, approve=False)
    check_approve_compensation(roles["supervisor"], comp, approve=False, note="金额过高，改发优惠券")
    comp.refresh_from_db()
    assert comp.status == "rejected"
    assert comp.decision_note == "金额过高，改发优惠券"


def test_the_limit_is_configurable_and_a_supervisor_offering_decides_it(order, roles):
    CaseSettings.objects.update_or_create(pk=1, defaults={"compensation_limit": Decimal("10")})
    assert offer(roles["reception"], order).status == "pending_approval"  # ¥20 > ¥10
    comp = offer(roles["supervisor"], order, amount="500", kind="money")
    assert (comp.status, comp.decided_by) == ("approved", roles["supervisor"])


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": "cash"}, "coupon, a gift or money"),
        ({"amount": "0"}, "above zero"),
        ({"amount": "-5"}, "between 0"),
        ({"reason": " "}, "reason"),
        ({"note": "长" * 301}, "300"),
    ],
)
def test_bad_compensations_are_refused(order, roles, fields, message):
    with pytest.raises(ValidationFailed, match=message):
        offer(roles["reception"], order, **fields)
    assert not Compensation.objects.exists()


def test_order_of_another_customer_is_refused(order, roles):
    with pytest.raises(ValidationFailed, match="another customer"):
        offer(roles["reception"], order, customer=CustomerFactory())
    assert not Compensation.objects.exists()


def test_a_gift_may_have_no_price_and_finance_cannot_offer(order, roles):
    assert offer(roles["sales"], order, kind="gift", amount="0", reason="small_fault").status == "approved"
    with pytest.raises(PermissionDenied):
        offer(roles["finance"], order)


def test_cost_report_totals_by_month_kind_and_reason(order, roles):
    # Given approved compensations in two months and one still waiting (a limit of ¥100, so that
    # the three January ones, ¥55 together, are approved at once),
    CaseSettings.objects.update_or_create(pk=1, defaults={"compensation_limit": Decimal("100")})
    with time_machine.travel(datetime(2026, 1, 10, 4, 0, tzinfo=UTC), tick=False):
        offer(roles["reception"], order)
        offer(roles["reception"], order)
        offer(roles["reception"], order, kind="gift", amount="15", reason="small_fault")
    with time_machine.travel(datetime(2026, 2, 3, 4, 0, tzinfo=UTC), tick=False):
        offer(roles["supervisor"], order, kind="money", amount="120", reason="lost_parcel")
        offer(roles["reception"], order, kind="money", amount="99", reason="lost_parcel")  # pending
    # when the report is read, then only approved ones count, by month, kind and reason.
    report = cost_report()
    rows = [(r["month"].strftime("%Y-%m"), r["kind"], r["reason"], r["count"], r["total"]) for r in report.rows]
    assert rows == [
        ("2026-02", "money", "lost_parcel", 1, Decimal("120.00")),
        ("2026-01", "coupon", "delay", 2, Decimal("40.00")),
        ("2026-01", "gift", "small_fault", 1, Decimal("15.00")),
    ]
    assert report.total == Decimal("175.00")
    assert report.count == 4
    assert report.by_kind == {"money": Decimal("120.00"), "coupon": Decimal("40.00"), "gift": Decimal("15.00")}


def test_other_apps_may_record_their_own_reason_text(order, roles):
    comp = offer(roles["aftersales"], order, reason="快递员态度差", source="complaint", source_id="C-3")
    assert comp.reason_label == "快递员态度差"
