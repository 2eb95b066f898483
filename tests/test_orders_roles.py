"""Role × action matrix of the orders app (kept here so the shared matrix file needs only the
rows; the integrator copies EXPECTED into tests/test_permission_matrix.py), and the docs."""

from __future__ import annotations

from pathlib import Path

import pytest

from kefu.aftersales import actions
from kefu.aftersales.transitions import claim_machine, exception_machine, order_machine, service_machine
from kefu.core.actions import load_all
from kefu.core.errors import PermissionDenied
from tests.factories import ConversationFactory, CustomerFactory, ProductFactory, ShopFactory, TicketFactory
from tests.factories_orders import (
    CodOrderFactory,
    LogisticsExceptionFactory,
    OrderFactory,
    ServiceOrderFactory,
    ShipmentFactory,
    WarrantyReminderFactory,
)

ALL = {"reception", "aftersales", "finance", "sales", "technician", "supervisor", "admin"}
FRONTLINE = {"reception", "aftersales", "sales", "supervisor", "admin"}
DESK = {"reception", "aftersales", "supervisor", "admin"}
LOGISTICS = {"aftersales", "supervisor", "admin"}

EXPECTED: dict[str, set[str]] = {
    "aftersales.check_create_order": FRONTLINE,
    "aftersales.check_import_orders": LOGISTICS,
    "aftersales.check_update_address": DESK,
    "aftersales.check_transition_order": DESK,
    "aftersales.check_link_order": ALL - {"finance"},
    "aftersales.check_unlink_order": ALL - {"finance"},
    "aftersales.check_create_shipment": DESK,
    "aftersales.check_add_tracking_entry": DESK,
    "aftersales.check_send_tracking_update": DESK,
    "aftersales.check_record_cod_call": FRONTLINE,
    "aftersales.check_save_shipping_rate": {"admin"},
    "aftersales.check_flag_exception": DESK,
    "aftersales.check_request_redelivery": LOGISTICS,
    "aftersales.check_record_compensation": LOGISTICS,
    "aftersales.check_file_claim": LOGISTICS,
    "aftersales.check_claim_outcome": LOGISTICS,
    "aftersales.check_resolve_exception": LOGISTICS,
    "aftersales.check_create_service_order": DESK,
    "aftersales.check_schedule_service": LOGISTICS,
    "aftersales.check_service_arrived": {"technician", "supervisor", "admin"},
    "aftersales.check_finish_service": {"technician", "supervisor", "admin"},
    "aftersales.check_confirm_service": LOGISTICS,
    "aftersales.check_cancel_service": LOGISTICS,
    "aftersales.check_reminder_done": {"aftersales", "technician", "supervisor", "admin"},
    "aftersales.check_snooze_reminder": {"aftersales", "technician", "supervisor", "admin"},
}


def _body(n: int) -> dict:
    product = ProductFactory(shop=ShopFactory(code="m"))
    return {
        "shop": "m",
        "platform_order_no": f"M{n}",
        "customer": {"name": "甲", "phone": f"1380000{n:04d}"},
        "lines": [{"sku": product.sku, "quantity": 1, "unit_price": "1.00"}],
        "address": {"name": "甲", "phone": "13800000000", "province": "北京", "city": "北京", "detail": "x"},
    }


def _calls():
    counter = iter(range(1, 10_000))

    def exc(status="open", **kw):
        return LogisticsExceptionFactory(status=status, **kw)

    def so(status="new", **kw):
        return ServiceOrderFactory(status=status, **kw)

    from kefu.core import clock

    soon = clock.now()
    return {
        "aftersales.check_create_order": lambda u: actions.check_create_order(_body(next(counter)), actor=u),
        "aftersales.check_import_orders": lambda u: actions.check_import_orders([_body(next(counter))], actor=u),
        "aftersales.check_update_address": lambda u: actions.check_update_address(
            OrderFactory(), actor=u, city="广州市"
        ),
        "aftersales.check_transition_order": lambda u: actions.check_transition_order(
            OrderFactory(status="pending_payment"), "pay", actor=u
        ),
        "aftersales.check_link_order": _link,
        "aftersales.check_unlink_order": lambda u: actions.check_unlink_order(
            actor=u, conversation=ConversationFactory()
        ),
        "aftersales.check_create_shipment": lambda u: actions.check_create_shipment(
            u, OrderFactory(), kind="outbound", courier="顺丰", tracking_no="SF1"
        ),
        "aftersales.check_add_tracking_entry": lambda u: actions.check_add_tracking_entry(
            ShipmentFactory(), actor=u, kind="in_transit"
        ),
        "aftersales.check_send_tracking_update": lambda u: _notify(u),
        "aftersales.check_record_cod_call": lambda u: actions.check_record_cod_call(
            CodOrderFactory(), "confirmed", actor=u
        ),
        "aftersales.check_save_shipping_rate": lambda u: actions.check_save_shipping_rate(
            None,
            actor=u,
            courier=f"快递{next(counter)}",
            zone="全国",
            provinces="北京",
            first_weight_grams="1000",
            first_price="8",
            extra_unit_grams="1000",
            extra_price="2",
        ),
        "aftersales.check_flag_exception": lambda u: actions.check_flag_exception(
            ShipmentFactory(), "wrong_item", actor=u
        ),
        "aftersales.check_request_redelivery": lambda u: actions.check_request_redelivery(
            exc(kind="delivery_failed"), actor=u
        ),
        "aftersales.check_record_compensation": lambda u: actions.check_record_compensation(exc(), actor=u),
        "aftersales.check_file_claim": lambda u: actions.check_file_claim(
            exc("compensated"), actor=u, claim_no="C", amount="1"
        ),
        "aftersales.check_claim_outcome": lambda u: actions.check_claim_outcome(
            exc("claiming", claim_status="filed"), "accept", actor=u
        ),
        "aftersales.check_resolve_exception": lambda u: actions.check_resolve_exception(
            exc(), actor=u, resolution="ok"
        ),
        "aftersales.check_create_service_order": lambda u: actions.check_create_service_order(
            CustomerFactory(), actor=u, kind="repair"
        ),
        "aftersales.check_schedule_service": lambda u: actions.check_schedule_service(
            so(), actor=u, appointment_at=soon
        ),
        "aftersales.check_service_arrived": lambda u: actions.check_service_arrived(so("scheduled"), actor=u),
        "aftersales.check_finish_service": lambda u: actions.check_finish_service(
            so("on_site"), actor=u, result="好了"
        ),
        "aftersales.check_confirm_service": lambda u: actions.check_confirm_service(so("done"), actor=u),
        "aftersales.check_cancel_service": lambda u: actions.check_cancel_service(so(), actor=u),
        "aftersales.check_reminder_done": lambda u: actions.check_reminder_done(WarrantyReminderFactory(), actor=u),
        "aftersales.check_snooze_reminder": lambda u: actions.check_snooze_reminder(WarrantyReminderFactory(), actor=u),
    }


def _link(user):
    order = OrderFactory()
    ticket = TicketFactory(customer=order.customer)
    return actions.check_link_order(order, actor=user, ticket=ticket)


def _notify(user):
    shipment = ShipmentFactory()
    ConversationFactory(customer=shipment.order.customer)
    return actions.check_send_tracking_update(shipment, actor=user)


def test_every_orders_action_has_a_row(db):
    registered = {name for name in load_all() if name.startswith("aftersales.")}
    assert registered == set(EXPECTED)
    assert set(EXPECTED) == set(_calls())


@pytest.mark.parametrize("action_name", sorted(EXPECTED))
def test_role_matrix(action_name, roles):
    call = _calls()[action_name]
    for role, user in roles.items():
        # Given a member of `role`, when they attempt the action,
        if role in EXPECTED[action_name]:
            call(user)  # then it succeeds,
        else:
            with pytest.raises(PermissionDenied):  # or is refused in the action itself.
                call(user)


@pytest.mark.parametrize("machine", [order_machine, service_machine, exception_machine, claim_machine])
def test_state_machine_tables_are_in_the_docs(machine):
    page = (Path(__file__).resolve().parents[1] / "docs" / "state-machines.md").read_text(encoding="utf-8")
    assert machine.as_markdown() in page


def test_orders_page_documents_the_contract():
    page = (Path(__file__).resolve().parents[1] / "docs" / "aftersales.md").read_text(encoding="utf-8")
    for name in ("POST /api/v1/orders", "409", "estimate_for", "POST /api/v1/shipping/quote", "notify_customer"):
        assert name in page
