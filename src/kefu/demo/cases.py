"""Demo after-sales cases: every kind in every state, deadlines near and overdue, refunds in the
finance queue (one by the green channel), compensations approved and waiting — so the workbench
is full on a fresh ``make serve``.  Written through the cases actions at past times, as the
product writes them; the orders they stand on through the orders app's action."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from kefu.accounts.models import Team, User
from kefu.aftersales.actions import do_create_order
from kefu.aftersales.orders_input import parse_order
from kefu.cases.actions import clean_event, do_create_case, do_fire_event, do_offer_compensation
from kefu.cases.models import Case
from kefu.cases.transitions import SYSTEM_EVENTS
from kefu.customers.models import Customer
from kefu.shops.models import Product

# A 1×1 PNG: the demo's evidence photo (a real image, so the case page shows it).
PHOTO = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)

# Cases whose platform deadline is near (or just passed): kind, reason, amount, steps
# ((event, params, hours after opening)), opened hours ago.
Spec = tuple[str, str, str, list[tuple[str, dict[str, Any], float]], float]
NEAR: list[Spec] = [
    ("return_refund", "quality", "129.00", [], 116),  # answer due in 4 h
    ("refund_only", "missing_item", "35.00", [], 121),  # passed: the platform agrees and refunds at the next sweep
    ("exchange", "damaged", "0", [("agree", {}, 1)], 167),  # the buyer's 7 days end in 2 h
    (
        "return_refund",
        "wrong_item",
        "59.90",
        [
            ("agree", {}, 1),
            ("buyer_shipped", {"carrier_kind": "express", "courier": "顺丰", "tracking_no": "SF14025566"}, 5),
        ],
        240,
    ),  # receipt to confirm within 5 h
    (
        "refund_only",
        "other",
        "12.00",
        [("agree", {}, 1), ("request_payment", {"remark": "多付的邮费，客户下班前要到账", "green_channel": True}, 2)],
        5,
    ),  # by the green channel: first in the finance queue
]

# What a person writes with each step in the demo.
PARAMS: dict[str, dict[str, Any]] = {
    "refuse": {"reason": "商品已拆封使用，影响二次销售"},
    "buyer_shipped": {"carrier_kind": "express", "courier": "中通", "tracking_no": "ZT77880001"},
    "ship_replacement": {"courier": "顺丰", "tracking_no": "SF14027788"},
    "ship_repaired": {"courier": "顺丰", "tracking_no": "SF14020099"},
    "request_payment": {"remark": "已验货，商品完好"},
    "send_back": {"reason": "金额与订单不符"},
}
REASON = {"refund_only": "missing_item", "return_refund": "wrong_item", "exchange": "wrong_item", "repair": "quality"}
AMOUNT = {"refund_only": "45.00", "return_refund": "88.00", "exchange": "0", "repair": "0"}

# Who fires each event in the demo (the platform's own events have no actor).
ACTOR = {"pay": "finance", "send_back": "finance", "request_payment": "agent", "buyer_shipped": "agent"}


def paths(kind: str) -> dict[str, list[str]]:
    """The shortest way from a new request to each state of ``kind``'s machine, preferring the
    steps people take over the platform's."""
    from kefu.cases.transitions import MACHINES

    table = MACHINES[kind].transitions
    found: dict[str, list[str]] = {"requested": []}
    for allow_system in (False, True):
        queue = list(found)
        while queue:
            state = queue.pop(0)
            for (source, event), target in table.items():
                if source == state and target not in found and (allow_system or event not in SYSTEM_EVENTS):
                    found[target] = [*found[state], event]
                    queue.append(target)
    return found


def every_state() -> list[Spec]:
    """One case per state of every kind, its steps three hours apart within the last two days
    (no platform deadline passes)."""
    from kefu.cases.transitions import MACHINES

    cases: list[Spec] = []
    for kind in MACHINES:
        for events in paths(kind).values():
            steps = [(event, PARAMS.get(event, {}), 3.0 * (i + 1)) for i, event in enumerate(events)]
            opened = 3.0 * (len(events) + 1) + len(cases)
            cases.append((kind, REASON[kind], AMOUNT[kind], steps, opened))
    return cases


def _order(shop: str, number: str, customer: Customer, delivered: datetime) -> Any:
    phone = customer.identities.filter(kind="phone").values_list("value", flat=True).first() or "13800000000"
    data = parse_order(
        {
            "shop": shop,
            "platform_order_no": number,
            "customer": {"name": customer.name, "phone": phone},
            "lines": [
                {"sku": p.sku, "name": p.name, "quantity": n, "unit_price": str(p.price or Decimal("59"))}
                for p, n in zip(Product.objects.filter(shop__code=shop).order_by("id")[:2], (2, 1), strict=False)
            ],
            "payment": "online",
            "address": {
                "name": customer.name or "客户",
                "phone": phone,
                "province": "广东省",
                "city": "深圳市",
                "detail": "南山区科技园 1 号",
            },
            "status": "delivered",
            "shipped_at": (delivered - timedelta(days=3)).isoformat(),
            "delivered_at": delivered.isoformat(),
        }
    )
    return do_create_order(data, actor=None, now=delivered - timedelta(days=4), source="demo", customer=customer)


def load(now: datetime) -> None:
    users = {u.username: u for u in User.objects.filter(username__in=["agent", "aftersales", "finance", "supervisor"])}
    team = Team.objects.filter(name="售后服务组").first()
    customers = list(Customer.objects.filter(merged_into__isnull=True).order_by("id")[:6])
    if not customers or "aftersales" not in users:
        return
    shops = ("ruiguang", "jiayou")
    for i, (kind, reason, amount, steps, hours_ago) in enumerate([*every_state(), *NEAR]):
        opened = now - timedelta(hours=hours_ago)
        customer = customers[i % len(customers)]
        order = _order(shops[i % 2], f"DEMO-AS-{i + 1:03d}", customer, opened - timedelta(days=1))
        photos = (
            [SimpleUploadedFile("凭证.png", PHOTO, content_type="image/png")]
            if reason in ("quality", "damaged")
            else []
        )
        case = do_create_case(
            order,
            kind=kind,
            reason=reason,
            amount=Decimal(amount),
            description="客户反馈："
            + {"quality": "使用两天后无法识别", "damaged": "外包装破损，模块外壳凹陷"}.get(reason, "见聊天记录"),
            order_line=order.lines.order_by("id").first(),
            unused=reason == "no_reason",
            original_packaging=reason == "no_reason",
            photos=photos,
            owner=users["aftersales"],
            team=team,
            actor=users["agent"],
            now=opened,
        )
        for event, params, after in steps:
            actor = None if event in SYSTEM_EVENTS else users.get(ACTOR.get(event, "aftersales"))
            fresh = Case.objects.get(pk=case.pk)
            do_fire_event(
                fresh,
                event,
                actor=actor,
                now=opened + timedelta(hours=after),
                updates=clean_event(fresh, event, params),
                params=params,
            )
    _compensations(customers, users, now)


def _compensations(customers: list[Customer], users: dict[str, User], now: datetime) -> None:
    offers = [
        (customers[0], "coupon", "20", "delay", "agent", 40 * 24),
        (customers[1], "coupon", "20", "small_fault", "agent", 20 * 24),
        (customers[2 % len(customers)], "gift", "15", "small_fault", "aftersales", 3 * 24),
        (customers[3 % len(customers)], "money", "120", "lost_parcel", "supervisor", 2 * 24),
        (customers[0], "coupon", "20", "delay", "agent", 5),
        (customers[1], "money", "80", "quality", "aftersales", 3),  # above the limit: waits
        (customers[4 % len(customers)], "money", "200", "lost_parcel", "agent", 1),  # waits
    ]
    for customer, kind, amount, reason, who, hours_ago in offers:
        do_offer_compensation(
            customer=customer,
            kind=kind,
            amount=Decimal(amount),
            reason=reason,
            note="演示数据",
            actor=users[who],
            now=now - timedelta(hours=hours_ago),
        )
