"""Opening cases (bad input refused, nothing written) and walking every kind through every
transition a person fires, with the customer told at each step on the channel they used."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kefu.aftersales.models import Shipment
from kefu.cases import actions
from kefu.cases.models import Case, CasePhoto
from kefu.conversations.models import Message
from kefu.core.errors import Conflict, InvalidTransition, PermissionDenied, ValidationFailed
from kefu.core.events import audit_trail
from kefu.core.models import Notification
from tests.factories import ConversationFactory, UserFactory
from tests.factories_cases import CaseOrderFactory, OrderLineFactory

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def photo(name: str = "破损.png", data: bytes = PNG) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/png")


@pytest.fixture
def order():
    o = CaseOrderFactory()
    ConversationFactory(customer=o.customer)  # the customer's chat: where they are told
    return o


def told(order) -> list[str]:
    return list(
        Message.objects.filter(conversation__customer=order.customer).order_by("id").values_list("text", flat=True)
    )


def open_case(order, roles, **kw):
    fields = {"kind": "return_refund", "reason": "quality", "amount": "120.00", "photos": [photo()]}
    fields.update(kw)
    return actions.check_create_case(order, actor=roles["aftersales"], **fields)


# --- opening -----------------------------------------------------------------------------------


def test_open_a_case_with_photos_tells_the_customer(order, roles):
    # Given a delivered order and its customer's chat, when an agent opens a quality claim with a photo,
    case = open_case(order, roles, description="收到时外壳开裂")
    # then the case waits for our answer, owned by the agent, with the photo stored,
    assert (case.status, case.kind, case.reason, case.amount) == (
        "requested",
        "return_refund",
        "quality",
        Decimal("120.00"),
    )
    assert case.owner == roles["aftersales"]
    assert case.customer == order.customer
    assert CasePhoto.objects.get(case=case).content_type == "image/png"
    assert [a.verb for a in audit_trail(case)] == ["case.created"]
    # and the customer is told in their chat.
    assert "已收到" in told(order)[-1]
    assert case.number in told(order)[-1]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"amount": "300.01"}, "more than the order's paid amount"),
        ({"amount": "-1"}, "between 0 and 1,000,000"),
        ({"amount": "abc"}, "not an amount"),
        ({"kind": "refund_only", "amount": "0"}, "above zero"),
        ({"kind": "swap"}, "Unknown case kind"),
        ({"reason": "bored"}, "Unknown reason"),
        ({"photos": []}, "needs evidence photos"),
        ({"photos": [photo("假图.png", b"MZ\x90\x00 not an image at all \x00\x01")]}, "not"),
        ({"photos": [photo("发票.pdf", b"%PDF-1.7 ...")]}, "not an image"),
        ({"reason": "no_reason", "photos": None}, "tick both"),
    ],
    ids=lambda v: str(v)[:40],
)
def test_bad_input_is_refused_and_nothing_is_written(order, roles, fields, message):
    # Given a delivered order, when a case is opened with bad input,
    with pytest.raises(ValidationFailed) as info:
        open_case(order, roles, **fields)
    # then a clear error names the problem and no case, photo or message exists.
    assert message in info.value.message
    assert not Case.objects.exists()
    assert not CasePhoto.objects.exists()
    assert told(order) == []


def test_a_cancelled_order_gets_no_refund(roles):
    order = CaseOrderFactory(status="cancelled")
    with pytest.raises(ValidationFailed, match="cancelled"):
        open_case(order, roles, kind="refund_only", reason="other", photos=None)
    assert not Case.objects.exists()


def test_no_reason_return_window_and_ticks(order, roles):
    # Given an order received 8 days ago, when a no-reason return is opened, then the 7 days have passed;
    late = CaseOrderFactory(delivered_at=order.delivered_at - timedelta(days=7))
    with pytest.raises(ValidationFailed, match="7 days"):
        open_case(late, roles, reason="no_reason", unused=True, original_packaging=True, photos=None)
    # with only one condition ticked it is refused; with both it opens without photos.
    with pytest.raises(ValidationFailed, match="tick both"):
        open_case(order, roles, reason="no_reason", unused=True, photos=None)
    case = open_case(order, roles, reason="no_reason", unused=True, original_packaging=True, photos=None)
    assert case.unused
    assert case.original_packaging


def test_second_open_case_of_a_kind_on_a_line_is_refused(roles):
    # Given an open return on one line of an order,
    line = OrderLineFactory()
    first = open_case(line.order, roles, order_line=line)
    # when a second return is opened on the same line, then it conflicts and names the first;
    with pytest.raises(Conflict) as info:
        open_case(line.order, roles, order_line=line)
    assert first.number in info.value.message
    assert Case.objects.count() == 1
    # another kind on that line, or the same kind once the first is finished, is fine.
    open_case(line.order, roles, order_line=line, kind="exchange", amount="0")
    actions.check_fire_event(first, "refuse", actor=roles["aftersales"], reason="已超出保修范围")
    open_case(line.order, roles, order_line=line)
    assert Case.objects.count() == 3


def test_photos_later_by_api_then_agree_waits_for_them(order, roles):
    # Given a quality claim opened without photos by a caller that cannot attach any (photos=None),
    case = open_case(order, roles, photos=None)
    # when it is agreed, then it is refused until evidence is added,
    with pytest.raises(ValidationFailed, match="evidence photos"):
        actions.check_fire_event(case, "agree", actor=roles["aftersales"])
    case.refresh_from_db()
    assert case.status == "requested"
    # a non-image is refused as evidence, an image is accepted, and then agreeing works.
    with pytest.raises(ValidationFailed):
        actions.check_add_photos(case, [photo("x.png", b"<html>")], actor=roles["reception"])
    actions.check_add_photos(case, [photo()], actor=roles["reception"])
    actions.check_fire_event(case, "agree", actor=roles["aftersales"])
    assert case.status == "agreed"


# --- every kind, every step a person takes ------------------------------------------------------


def test_return_and_refund_end_to_end(order, roles):
    agent, finance = roles["aftersales"], roles["finance"]
    case = open_case(order, roles)
    # when it is agreed, the return address, contact, phone and the postage payer come from the shop and rules;
    actions.check_fire_event(case, "agree", actor=agent)
    assert case.status == "agreed"
    assert (case.return_address, case.return_phone, case.postage_payer) == (
        order.shop.return_address,
        "400-800-1234",
        "shop",  # quality problem: the shop pays the postage
    )
    assert order.shop.return_address in told(order)[-1]
    assert "运费由我们承担" in told(order)[-1]
    # the buyer's return is tracked as a return shipment,
    actions.check_fire_event(
        case, "buyer_shipped", actor=roles["reception"], carrier_kind="post", tracking_no="9890001"
    )
    assert case.status == "returning"
    shipment = Shipment.objects.get(pk=case.return_shipment_id)
    assert (shipment.kind, shipment.carrier_kind, shipment.tracking_no) == ("return", "post", "9890001")
    # receipt, the request for payment with a green channel remark, sending back, asking again, paying.
    actions.check_fire_event(case, "confirm_receipt", actor=agent)
    assert case.status == "to_refund"
    actions.check_fire_event(case, "request_payment", actor=roles["reception"], remark="客户着急", green_channel=True)
    assert (case.status, case.green_channel, case.payment_remark) == ("payment_requested", True, "客户着急")
    assert "绿色通道" in told(order)[-1]
    actions.check_fire_event(case, "send_back", actor=finance, reason="金额与订单不符")
    assert (case.status, case.sent_back_reason) == ("to_refund", "金额与订单不符")
    # the agent who asked is told in the app why, with a link back to the case;
    note = Notification.objects.get(user=roles["reception"])
    assert "金额与订单不符" in note.text
    assert note.url == f"/cases/{case.pk}/"
    actions.check_fire_event(case, "request_payment", actor=agent, remark="已核对金额")
    actions.check_fire_event(case, "pay", actor=finance)
    assert (case.status, case.paid_by) == ("refunded", finance)
    assert "已退回" in told(order)[-1]
    # and every step is on the case's audit trail with its actor.
    verbs = [a.verb for a in audit_trail(case) if a.verb.startswith("case.")]
    assert verbs == [
        "case.created",
        "case.agree",
        "case.buyer_shipped",
        "case.confirm_receipt",
        "case.request_payment",
        "case.send_back",
        "case.request_payment",
        "case.pay",
    ]


def test_agree_with_overridden_return_details_and_buyer_paid_postage(order, roles):
    case = open_case(order, roles, reason="other", photos=[])
    actions.check_fire_event(
        case, "agree", actor=roles["aftersales"], return_address="上海市浦东新区 1 号仓", return_phone="021-1234"
    )
    assert (case.return_address, case.return_phone, case.postage_payer) == (
        "上海市浦东新区 1 号仓",
        "021-1234",
        "buyer",
    )
    assert "需要您承担" in told(order)[-1]


def test_refund_only(order, roles):
    case = open_case(order, roles, kind="refund_only", reason="missing_item", photos=[])
    actions.check_fire_event(case, "agree", actor=roles["aftersales"])
    assert case.status == "to_refund"
    assert case.return_address == ""
    actions.check_fire_event(case, "request_payment", actor=roles["reception"])
    actions.check_fire_event(case, "pay", actor=roles["finance"])
    assert case.status == "refunded"


def test_refused_then_closed(order, roles):
    case = open_case(order, roles, kind="refund_only", reason="other", photos=[])
    # refusing needs a reason (400, nothing changes); with one, the customer is told why.
    with pytest.raises(ValidationFailed, match="why"):
        actions.check_fire_event(case, "refuse", actor=roles["aftersales"])
    assert Case.objects.get(pk=case.pk).status == "requested"
    actions.check_fire_event(case, "refuse", actor=roles["aftersales"], reason="商品已超过售后期")
    assert case.status == "refused"
    assert "商品已超过售后期" in told(order)[-1]
    actions.check_fire_event(case, "close", actor=roles["supervisor"])
    assert case.status == "closed"


def test_exchange_ships_and_tracks_the_replacement(order, roles):
    agent = roles["aftersales"]
    case = open_case(order, roles, kind="exchange", reason="wrong_item", amount="0", photos=[])
    actions.check_fire_event(case, "agree", actor=agent)
    actions.check_fire_event(case, "buyer_shipped", actor=agent, carrier_kind="express", tracking_no="SF100")
    actions.check_fire_event(case, "confirm_receipt", actor=agent)
    assert case.status == "received"
    # shipping the replacement needs courier and tracking number,
    with pytest.raises(ValidationFailed):
        actions.check_fire_event(case, "ship_replacement", actor=agent, courier="顺丰")
    actions.check_fire_event(case, "ship_replacement", actor=agent, courier="顺丰", tracking_no="SF200")
    shipment = Shipment.objects.get(pk=case.outbound_shipment_id)
    assert (case.status, shipment.kind, shipment.tracking_no) == ("replacement_shipped", "replacement", "SF200")
    assert "顺丰 SF200" in told(order)[-1]
    actions.check_fire_event(case, "complete", actor=agent)
    assert case.status == "completed"


def test_exchange_completes_when_the_replacement_is_delivered(order, roles, django_capture_on_commit_callbacks):
    from kefu.aftersales.actions import clean_update, do_add_tracking
    from kefu.core import clock

    agent = roles["aftersales"]
    case = open_case(order, roles, kind="exchange", reason="wrong_item", amount="0", photos=[])
    for event, params in (
        ("agree", {}),
        ("buyer_shipped", {"carrier_kind": "express", "tracking_no": "SF1"}),
        ("confirm_receipt", {}),
        ("ship_replacement", {"courier": "顺丰", "tracking_no": "SF2"}),
    ):
        actions.check_fire_event(case, event, actor=agent, **params)
    # when the courier reports the replacement delivered, then the case completes by itself.
    shipment = Shipment.objects.get(pk=case.outbound_shipment_id)
    with django_capture_on_commit_callbacks(execute=True):
        do_add_tracking(
            shipment,
            [clean_update({"kind": "delivered", "happened_at": clock.now().isoformat()})],
            source="courier",
            actor=None,
            now=clock.now(),
        )
    case.refresh_from_db()
    assert case.status == "completed"


def test_repair_flow(order, roles):
    agent = roles["aftersales"]
    case = open_case(order, roles, kind="repair", reason="quality", amount="0")
    steps = [
        ("agree", {}, "agreed"),
        ("buyer_shipped", {"carrier_kind": "express", "tracking_no": "YT1"}, "returning"),
        ("confirm_receipt", {}, "received"),
        ("start_repair", {}, "repairing"),
        ("ship_repaired", {"courier": "圆通", "tracking_no": "YT2"}, "repaired_shipped"),
        ("complete", {}, "completed"),
    ]
    for event, params, state in steps:
        actions.check_fire_event(case, event, actor=agent, **params)
        assert case.status == state
    assert "维修好的商品" in told(order)[-2]


# --- refused: wrong role (403), wrong state (409), unknown or platform events -------------------


def test_wrong_state_is_409_and_nothing_changes(order, roles):
    case = open_case(order, roles)
    before = audit_trail(case).count()
    with pytest.raises(InvalidTransition) as info:
        actions.check_fire_event(case, "pay", actor=roles["finance"])
    assert info.value.status == 409
    assert "agree" in info.value.details["allowed"]
    assert Case.objects.get(pk=case.pk).status == "requested"
    assert audit_trail(case).count() == before


@pytest.mark.parametrize(
    ("role", "event"),
    [("reception", "agree"), ("finance", "agree"), ("sales", "buyer_shipped"), ("technician", "confirm_receipt")],
)
def test_wrong_role_is_403_and_nothing_changes(order, roles, role, event):
    case = open_case(order, roles)
    with pytest.raises(PermissionDenied):
        actions.check_fire_event(case, event, actor=roles[role], carrier_kind="express", tracking_no="1")
    assert Case.objects.get(pk=case.pk).status == "requested"


def test_only_finance_pays_not_even_an_administrator(order, roles):
    case = open_case(order, roles, kind="refund_only", reason="other", photos=[])
    actions.check_fire_event(case, "agree", actor=roles["aftersales"])
    actions.check_fire_event(case, "request_payment", actor=roles["aftersales"])
    for role in ("reception", "aftersales", "supervisor", "admin"):
        with pytest.raises(PermissionDenied):
            actions.check_fire_event(case, "pay", actor=roles[role])
    assert Case.objects.get(pk=case.pk).status == "payment_requested"
    actions.check_fire_event(case, "pay", actor=roles["finance"])
    assert case.status == "refunded"


def test_platform_events_and_unknown_events_are_refused(order, roles):
    case = open_case(order, roles)
    with pytest.raises(PermissionDenied, match="platform"):
        actions.check_fire_event(case, "auto_agree", actor=roles["admin"])
    with pytest.raises(ValidationFailed, match="Unknown event"):
        actions.check_fire_event(case, "teleport", actor=roles["admin"])


def test_allowed_events_are_the_buttons(order, roles):
    case = open_case(order, roles)
    assert actions.allowed_events(case, roles["aftersales"]) == ["agree", "refuse", "close"]
    assert actions.allowed_events(case, roles["reception"]) == []
    assert actions.allowed_events(case, roles["finance"]) == []
    user = UserFactory(role="finance")
    case.status = "payment_requested"
    assert actions.allowed_events(case, user) == ["pay", "send_back"]
