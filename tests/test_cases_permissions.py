"""Role × action matrix of every after-sales action (the product's specification, written
independently of kefu/accounts/roles.py): only finance pays or sends back a refund; only
supervisors approve compensation above the limit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kefu.cases import actions
from kefu.core.actions import load_all
from kefu.core.errors import PermissionDenied
from tests.factories_cases import CaseFactory, CaseOrderFactory, CompensationFactory

ALL = {"reception", "aftersales", "finance", "sales", "technician", "supervisor", "admin"}
DESK = {"reception", "aftersales", "supervisor", "admin"}  # who takes after-sales requests
DECIDE = {"aftersales", "supervisor", "admin"}  # who answers for the shop and handles the goods

EXPECTED: dict[str, set[str]] = {
    "cases.check_create_case": DESK,
    "cases.check_add_photos": DESK,
    "cases.check_fire_event:agree": DECIDE,
    "cases.check_fire_event:refuse": DECIDE,
    "cases.check_fire_event:close": DECIDE,
    "cases.check_fire_event:buyer_shipped": DESK,
    "cases.check_fire_event:confirm_receipt": DECIDE,
    "cases.check_fire_event:ship_replacement": DECIDE,
    "cases.check_fire_event:start_repair": DECIDE,
    "cases.check_fire_event:ship_repaired": DECIDE,
    "cases.check_fire_event:complete": DECIDE,
    "cases.check_fire_event:request_payment": DESK,
    "cases.check_fire_event:pay": {"finance"},
    "cases.check_fire_event:send_back": {"finance"},
    "cases.check_offer_compensation": DESK | {"sales"},
    "cases.check_offer_compensation:above_limit": DESK | {"sales"},
    "cases.check_approve_compensation": {"supervisor", "admin"},
}

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _case(status: str, kind: str = "return_refund") -> Any:
    return CaseFactory(status=status, kind=kind, reason="other")


def _fire(status: str, event: str, kind: str = "return_refund", **params: Any) -> Callable[[Any], Any]:
    return lambda u: actions.check_fire_event(_case(status, kind), event, actor=u, **params)


def _calls() -> dict[str, Callable[[Any], Any]]:
    ship = {"courier": "顺丰", "tracking_no": "SF1"}
    return {
        "cases.check_create_case": lambda u: actions.check_create_case(
            CaseOrderFactory(), actor=u, kind="refund_only", reason="other", amount="10"
        ),
        "cases.check_add_photos": lambda u: actions.check_add_photos(
            _case("requested"), [SimpleUploadedFile("a.png", PNG, content_type="image/png")], actor=u
        ),
        "cases.check_fire_event:agree": _fire("requested", "agree"),
        "cases.check_fire_event:refuse": _fire("requested", "refuse", reason="不符合条件"),
        "cases.check_fire_event:close": _fire("requested", "close"),
        "cases.check_fire_event:buyer_shipped": _fire(
            "agreed", "buyer_shipped", carrier_kind="express", tracking_no="1"
        ),
        "cases.check_fire_event:confirm_receipt": _fire("returning", "confirm_receipt"),
        "cases.check_fire_event:ship_replacement": _fire("received", "ship_replacement", "exchange", **ship),
        "cases.check_fire_event:start_repair": _fire("received", "start_repair", "repair"),
        "cases.check_fire_event:ship_repaired": _fire("repairing", "ship_repaired", "repair", **ship),
        "cases.check_fire_event:complete": _fire("replacement_shipped", "complete", "exchange"),
        "cases.check_fire_event:request_payment": _fire("to_refund", "request_payment", remark="绿色通道"),
        "cases.check_fire_event:pay": _fire("payment_requested", "pay"),
        "cases.check_fire_event:send_back": _fire("payment_requested", "send_back", reason="金额不符"),
        "cases.check_offer_compensation": lambda u: _offer(u, "20"),
        "cases.check_offer_compensation:above_limit": lambda u: _offer(u, "500"),
        "cases.check_approve_compensation": lambda u: actions.check_approve_compensation(
            u, CompensationFactory(), approve=True
        ),
    }


def _offer(user: Any, amount: str) -> Any:
    order = CaseOrderFactory()
    comp = actions.check_offer_compensation(
        user, customer=order.customer, order=order, kind="money", amount=amount, reason="delay"
    )
    # above the limit it waits — unless the one offering may approve it themselves.
    approver = user.has_perm("cases.approve_compensation")
    assert comp.status == ("approved" if amount == "20" or approver else "pending_approval")
    return comp


def test_every_after_sales_action_has_a_row(db):
    registered = {name for name in load_all() if name.startswith("cases.")}
    assert registered == {name.split(":", 1)[0] for name in EXPECTED}
    assert set(EXPECTED) == set(_calls())


def test_every_event_a_person_fires_has_a_row():
    from kefu.cases.transitions import EVENT_PERMISSION

    assert {f"cases.check_fire_event:{e}" for e in EVENT_PERMISSION} <= set(EXPECTED)


@pytest.mark.parametrize("action_name", sorted(EXPECTED))
def test_role_matrix(action_name, roles):
    calls = _calls()
    for role, user in roles.items():
        # Given a member of `role`, when they attempt the action, then it succeeds or is refused.
        if role in EXPECTED[action_name]:
            calls[action_name](user)
        else:
            with pytest.raises(PermissionDenied):
                calls[action_name](user)
