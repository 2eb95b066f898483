"""The compensation approval limit cannot be split (issue 20): it counts what one customer and
one case already received (approved or waiting) within a configurable window, and every
approval is a row shown on the cost report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from kefu.cases.actions import check_approve_compensation, check_offer_compensation
from kefu.cases.models import CaseSettings, CompensationApproval
from tests.factories import ConversationFactory
from tests.factories_cases import CaseOrderFactory, offer_compensation, order_with_chat

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)


@pytest.fixture
def order():
    return order_with_chat()


def offer(actor, order, **kw):
    return offer_compensation(actor, order, **{"kind": "money", "amount": "50.00", **kw})


def test_three_payouts_at_the_limit_in_a_row_cannot_be_split(order, roles):
    # Given the default limit of ¥50 and window of 30 days,
    with time_machine.travel(T0, tick=False):
        first = offer(roles["aftersales"], order)
        # when the same customer gets a second and a third ¥50.00 in a row,
        second = offer(roles["aftersales"], order)
        third = offer(roles["aftersales"], order)
    # then only the first is approved at once; the others wait for a supervisor.
    assert [first.status, second.status, third.status] == ["approved", "pending_approval", "pending_approval"]


def test_waiting_compensation_counts_too_and_small_ones_add_up(order, roles):
    with time_machine.travel(T0, tick=False):
        assert offer(roles["aftersales"], order, amount="30").status == "approved"
        assert offer(roles["aftersales"], order, amount="20").status == "approved"  # 50, at the limit
        assert offer(roles["aftersales"], order, amount="0.01").status == "pending_approval"
        # the pending cent counts: another cent also waits
        assert offer(roles["aftersales"], order, amount="0.01", kind="coupon").status == "pending_approval"


def test_a_case_sum_counts_even_across_merged_customers(order, roles):
    # A compensation given for a case to a customer later merged into another still counts
    # against the case (and the surviving customer).
    from tests.factories import CustomerFactory

    with time_machine.travel(T0, tick=False):
        offer(roles["aftersales"], order, amount="40", source="case", source_id="9")
    survivor = CustomerFactory()
    order.customer.merged_into = survivor
    order.customer.save(update_fields=["merged_into"])
    ConversationFactory(customer=survivor)
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        comp = check_offer_compensation(
            roles["aftersales"],
            customer=survivor,
            kind="money",
            amount="20",
            reason="delay",
            source="case",
            source_id="9",
        )
    assert comp.status == "pending_approval"


def test_other_customers_and_other_cases_do_not_count(order, roles):
    other = CaseOrderFactory()
    ConversationFactory(customer=other.customer)
    with time_machine.travel(T0, tick=False):
        assert offer(roles["aftersales"], order).status == "approved"
        assert offer(roles["aftersales"], other).status == "approved"


def test_the_window_is_configurable_and_old_compensation_falls_out(order, roles):
    with time_machine.travel(T0, tick=False):
        offer(roles["aftersales"], order)
    # 30 days later to the second, it still counts;
    with time_machine.travel(T0 + timedelta(days=30) - timedelta(seconds=1), tick=False):
        assert offer(roles["aftersales"], order, amount="1").status == "pending_approval"
    # and 30 days after it, it has fallen out.
    with time_machine.travel(T0 + timedelta(days=30, seconds=1), tick=False):
        assert offer(roles["aftersales"], order, amount="48").status == "approved"  # 1 pending + 48


def test_a_window_of_seven_days(order, roles):
    CaseSettings.objects.update_or_create(pk=1, defaults={"compensation_window_days": 7})
    with time_machine.travel(T0, tick=False):
        offer(roles["aftersales"], order)
    with time_machine.travel(T0 + timedelta(days=7, seconds=1), tick=False):
        assert offer(roles["aftersales"], order).status == "approved"


def test_each_approval_is_a_row_with_the_sum_it_saw(order, roles):
    with time_machine.travel(T0, tick=False):
        first = offer(roles["aftersales"], order, amount="30")
        waiting = offer(roles["aftersales"], order, amount="45")
    with time_machine.travel(T0 + timedelta(hours=2), tick=False):
        check_approve_compensation(roles["supervisor"], waiting, approve=True, note="老客户")
    rows = list(CompensationApproval.objects.order_by("id"))
    assert [(r.compensation_id, r.approved_by, r.amount, r.window_sum, r.approved_at) for r in rows] == [
        (first.pk, None, Decimal("30.00"), Decimal("0.00"), T0),
        (waiting.pk, roles["supervisor"], Decimal("45.00"), Decimal("30.00"), T0 + timedelta(hours=2)),
    ]
    assert (rows[0].limit, rows[0].window_days) == (Decimal("50.00"), 30)


def test_a_supervisor_offering_above_the_limit_is_recorded_as_the_approver(order, roles):
    with time_machine.travel(T0, tick=False):
        offer(roles["aftersales"], order, amount="50")
        comp = offer(roles["supervisor"], order, amount="50")
    assert comp.status == "approved"
    row = CompensationApproval.objects.get(compensation=comp)
    assert (row.approved_by, row.window_sum) == (roles["supervisor"], Decimal("50.00"))


def test_the_report_page_shows_each_approval_and_the_window(client, order, roles):
    with time_machine.travel(T0, tick=False):
        offer(roles["aftersales"], order, amount="30")
        waiting = offer(roles["aftersales"], order, amount="45")
        check_approve_compensation(roles["supervisor"], waiting, approve=True)
    client.force_login(roles["supervisor"])
    html = client.get("/compensations/report/").content.decode()
    assert 'id="approvals"' in html
    assert "¥45.00" in html
    assert "¥30.00" in html  # the window sum the supervisor saw
    assert str(roles["supervisor"]) in html
    listing = client.get("/compensations/")
    assert listing.context["window_days"] == 30


@pytest.mark.django_db(transaction=True)
def test_two_agents_at_the_same_moment_cannot_both_slip_under_the_limit(roles):
    import threading

    from django.db import connection, connections

    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(("file:memory", ":memory:")):
        pytest.skip("threads need a shared database file")
    o = CaseOrderFactory()
    ConversationFactory(customer=o.customer)
    barrier = threading.Barrier(4)
    results: list[str] = []

    def agent() -> None:
        try:
            barrier.wait()
            results.append(offer(roles["aftersales"], o, amount="30").status)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=agent) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["approved", "pending_approval", "pending_approval", "pending_approval"]
