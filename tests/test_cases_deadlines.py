"""The platform's deadlines of a case (contract D timers), each checked against a hand-computed
time: the warning 24 h before to the owner and the team leader, and the automatic outcome when it
passes (the clock moved with time_machine, then the sweeper run) — audited, once, and only while
the case is still in the state that set it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from kefu.cases import actions
from kefu.cases.models import Case, CaseSettings
from kefu.conversations.models import Message
from kefu.core.events import audit_trail
from kefu.core.models import Notification
from kefu.core.tasks import sweep_once
from kefu.sla import deadlines
from tests.factories import ConversationFactory, TeamFactory, UserFactory
from tests.factories_cases import CaseOrderFactory

pytestmark = pytest.mark.django_db

# Monday 2 March 2026, 09:00 UTC (17:00 in Shanghai).
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def world(roles):
    leader = UserFactory(role="supervisor")
    team = TeamFactory(leader=leader)
    with time_machine.travel(T0 - timedelta(days=2), tick=False):
        order = CaseOrderFactory()
        ConversationFactory(customer=order.customer)
    return {"order": order, "team": team, "leader": leader, **roles}


def _open(world, kind="return_refund", reason="other", at=T0):
    with time_machine.travel(at, tick=False):
        return actions.check_create_case(
            world["order"],
            actor=world["aftersales"],
            kind=kind,
            reason=reason,
            amount="100",
            photos=[],
            team=world["team"],
        )


def _fire(case, event, actor, at, **params):
    with time_machine.travel(at, tick=False):
        actions.check_fire_event(case, event, actor=actor, **params)
    case.refresh_from_db()
    return case


def _last_text(world) -> str:
    return Message.objects.filter(conversation__customer=world["order"].customer).latest("id").text


def test_seller_respond_by_is_five_days_and_the_platform_agrees(world):
    # Given a return-and-refund request opened at T0,
    case = _open(world)
    # then it must be answered by T0 + 5 days = 7 March 09:00 UTC, mirrored on the case for the workbench;
    respond_by = datetime(2026, 3, 7, 9, 0, tzinfo=UTC)
    assert deadlines.running(case) == {"seller_respond_by": respond_by}
    assert (case.due_name, case.due_at) == ("seller_respond_by", respond_by)
    # a second before it passes nothing happens;
    sweep_once(respond_by - timedelta(seconds=1))
    assert Case.objects.get(pk=case.pk).status == "requested"
    # when it passes, the platform agrees (no actor), the customer gets the return address,
    with time_machine.travel(respond_by, tick=False):
        sweep_once(respond_by)
    case.refresh_from_db()
    assert case.status == "agreed"
    assert case.agreed_at == respond_by
    row = next(a for a in audit_trail(case) if a.verb == "case.auto_agree")
    assert row.actor is None
    assert row.data == {"by": "platform"}
    assert world["order"].shop.return_address in _last_text(world)
    # and the buyer now has 7 days: 14 March 09:00 UTC.
    assert deadlines.running(case) == {"buyer_ship_by": datetime(2026, 3, 14, 9, 0, tzinfo=UTC)}
    # Running the sweeper again changes nothing (fired once).
    sweep_once(respond_by + timedelta(hours=1))
    assert [a.verb for a in audit_trail(case)].count("case.auto_agree") == 1


def test_refund_only_unanswered_is_refunded_by_the_platform(world):
    case = _open(world, kind="refund_only")
    sweep_once(datetime(2026, 3, 7, 9, 0, tzinfo=UTC))
    case.refresh_from_db()
    assert case.status == "refunded"
    assert case.paid_at == datetime(2026, 3, 7, 9, 0, tzinfo=UTC)
    assert deadlines.running(case) == {}
    assert case.due_at is None
    assert "自动同意并退款" in _last_text(world)


def test_warning_24h_before_to_owner_and_team_leader(world):
    case = _open(world)
    # Given the answer due on 7 March 09:00, the warning is due on 6 March 09:00 UTC:
    warn_at = datetime(2026, 3, 6, 9, 0, tzinfo=UTC)
    sweep_once(warn_at - timedelta(seconds=1))
    assert not Notification.objects.exists()
    sweep_once(warn_at)
    notes = Notification.objects.filter(kind=Notification.Kind.SLA_WARNING)
    # then the owner and the team's leader are told, once, with a link to the case and what will happen.
    assert {n.user for n in notes} == {world["aftersales"], world["leader"]}
    assert all(n.url == f"/cases/{case.pk}/" and "platform agrees" in n.text for n in notes)
    sweep_once(warn_at + timedelta(hours=1))
    assert notes.count() == 2
    assert Case.objects.get(pk=case.pk).status == "requested"


def test_the_warning_lead_time_is_configurable(world):
    CaseSettings.objects.filter(pk=1).update(warn_hours=48)
    CaseSettings.objects.get_or_create(pk=1, defaults={"warn_hours": 48})
    case = _open(world)
    sweep_once(datetime(2026, 3, 5, 9, 0, tzinfo=UTC))  # 48 h before 7 March 09:00
    assert Notification.objects.filter(url=f"/cases/{case.pk}/").count() == 2


def test_buyer_ship_by_closes_the_request_and_the_sale_stands(world):
    case = _open(world)
    case = _fire(case, "agree", world["aftersales"], datetime(2026, 3, 3, 10, 0, tzinfo=UTC))
    ship_by = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)  # agreed 3 March 10:00 + 7 days
    assert deadlines.running(case) == {"buyer_ship_by": ship_by}
    sweep_once(ship_by - timedelta(seconds=1))
    assert Case.objects.get(pk=case.pk).status == "agreed"
    sweep_once(ship_by)
    case.refresh_from_db()
    assert case.status == "closed"
    assert case.finished_at == ship_by
    assert deadlines.running(case) == {}
    assert "订单正常进行" in _last_text(world)
    world["order"].refresh_from_db()
    assert world["order"].status == "delivered"  # the sale stands


@pytest.mark.parametrize(
    ("carrier", "confirm_by"),
    [
        ("express", datetime(2026, 3, 14, 8, 0, tzinfo=UTC)),  # shipped 4 March 08:00 + 10 days
        ("post", datetime(2026, 4, 3, 8, 0, tzinfo=UTC)),  # shipped 4 March 08:00 + 30 days
    ],
)
def test_seller_confirm_by_express_10_days_post_30_days_then_platform_refunds(world, carrier, confirm_by):
    case = _open(world)
    _fire(case, "agree", world["aftersales"], datetime(2026, 3, 3, 10, 0, tzinfo=UTC))
    case = _fire(
        case,
        "buyer_shipped",
        world["reception"],
        datetime(2026, 3, 4, 8, 0, tzinfo=UTC),
        carrier_kind=carrier,
        tracking_no="R1",
    )
    assert deadlines.running(case) == {"seller_confirm_by": confirm_by}
    sweep_once(confirm_by - timedelta(hours=24))
    assert Notification.objects.filter(kind=Notification.Kind.SLA_WARNING, url=f"/cases/{case.pk}/").exists()
    sweep_once(confirm_by - timedelta(seconds=1))
    assert Case.objects.get(pk=case.pk).status == "returning"
    sweep_once(confirm_by)
    case.refresh_from_db()
    assert (case.status, case.paid_at) == ("refunded", confirm_by)
    assert [a.actor for a in audit_trail(case) if a.verb == "case.auto_refund"] == [None]
    assert "平台自动退款" in _last_text(world)


def test_exchange_unconfirmed_is_refunded_too_but_a_repair_has_no_confirm_deadline(world):
    exchange = _open(world, kind="exchange", reason="wrong_item")
    repair = _open(world, kind="repair", reason="other")
    for case in (exchange, repair):
        _fire(case, "agree", world["aftersales"], T0)
        _fire(case, "buyer_shipped", world["aftersales"], T0, carrier_kind="express", tracking_no="X")
    assert deadlines.running(exchange) == {"seller_confirm_by": T0 + timedelta(days=10)}
    assert deadlines.running(repair) == {}
    sweep_once(T0 + timedelta(days=10))
    assert Case.objects.get(pk=exchange.pk).status == "refunded"
    assert Case.objects.get(pk=repair.pk).status == "returning"


def test_answering_in_time_stops_the_deadline(world):
    case = _open(world)
    _fire(case, "refuse", world["aftersales"], T0 + timedelta(days=1), reason="不符合退货条件")
    sweep_once(T0 + timedelta(days=30))
    case.refresh_from_db()
    assert case.status == "refused"
    assert deadlines.running(case) == {}
    assert not [a for a in audit_trail(case) if a.verb == "case.auto_agree"]


def test_handler_is_idempotent_when_the_case_moved_on(world):
    # Given a deadline that passes while the case already left the state that set it,
    case = _open(world)
    due = deadlines.Due(0, "cases.case", str(case.pk), "seller_respond_by", T0, {"state": "agreed"})
    # when the handler sees it, then it does nothing;
    actions.on_deadline_passed([due], T0 + timedelta(days=5))
    assert Case.objects.get(pk=case.pk).status == "requested"
    # with the matching state it acts once, and a repeat does nothing more.
    due = deadlines.Due(0, "cases.case", str(case.pk), "seller_respond_by", T0, {"state": "requested"})
    actions.on_deadline_passed([due], T0 + timedelta(days=5))
    actions.on_deadline_passed([due], T0 + timedelta(days=5))
    case.refresh_from_db()
    assert case.status == "agreed"
    assert [a.verb for a in audit_trail(case)].count("case.auto_agree") == 1


def test_configured_numbers_change_the_deadlines(world):
    CaseSettings.objects.update_or_create(pk=1, defaults={"seller_respond_days": 3, "buyer_ship_days": 5})
    case = _open(world)
    assert deadlines.running(case) == {"seller_respond_by": T0 + timedelta(days=3)}
    _fire(case, "agree", world["aftersales"], T0)
    assert deadlines.running(case) == {"buyer_ship_by": T0 + timedelta(days=5)}
