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
from kefu.customers.models import Customer
from kefu.shops.models import Product

# A 1×1 PNG: the demo's evidence photo (a real image, so the case page shows it).
PHOTO = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)

# kind, reason, amount, the steps after opening ((event, params, hours after opening)), opened hours ago
CASES: list[tuple[str, str, str, list[tuple[str, dict[str, Any], float]], float]] = [
    ("return_refund", "quality", "129.00", [], 116),  # answer due in 4 h
    ("refund_only", "missing_item", "35.00", [], 121),  # answer overdue: the platform agrees at the next sweep
    ("repair", "quality", "0", [], 20),
    ("exchange", "wrong_item", "0", [], 2),
    ("return_refund", "no_reason", "89.00", [("agree", {}, 3)], 30),
    ("exchange", "damaged", "0", [("agree", {}, 2)], 7 * 24 + 1),  # the buyer's 7 days end in 2 h
    (
        "return_refund",
        "damaged",
        "259.00",
        [("agree", {}, 1), ("buyer_shipped", {"carrier_kind": "post", "tracking_no": "9893 1234 5678"}, 20)],
        72,
    ),
    (
        "return_refund",
        "wrong_item",
        "59.90",
        [
            ("agree", {}, 1),
            ("buyer_shipped", {"carrier_kind": "express", "courier": "顺丰", "tracking_no": "SF1402 5566 01"}, 5),
        ],
        9 * 24 + 8,
    ),
    (
        "exchange",
        "quality",
        "0",
        [
            ("agree", {}, 1),
            ("buyer_shipped", {"carrier_kind": "express", "courier": "中通", "tracking_no": "ZT7788 0001"}, 6),
            ("confirm_receipt", {}, 50),
        ],
        80,
    ),
    (
        "exchange",
        "wrong_item",
        "0",
        [
            ("agree", {}, 1),
            ("buyer_shipped", {"carrier_kind": "express", "courier": "圆通", "tracking_no": "YT3301 22"}, 4),
            ("confirm_receipt", {}, 40),
            ("ship_replacement", {"courier": "顺丰", "tracking_no": "SF1402 7788 09"}, 41),
        ],
        100,
    ),
    (
        "repair",
        "quality",
        "0",
        [
            ("agree", {}, 1),
            ("buyer_shipped", {"carrier_kind": "express", "courier": "韵达", "tracking_no": "YD5501"}, 8),
            ("confirm_receipt", {}, 60),
            ("start_repair", {}, 61),
        ],
        120,
    ),
    (
        "repair",
        "other",
        "0",
        [
            ("agree", {}, 1),
            ("buyer_shipped", {"carrier_kind": "express", "courier": "韵达", "tracking_no": "YD5502"}, 8),
            ("confirm_receipt", {}, 60),
            ("start_repair", {}, 61),
            ("ship_repaired", {"courier": "顺丰", "tracking_no": "SF1402 0099"}, 90),
        ],
        140,
    ),
    (
        "return_refund",
        "quality",
        "199.00",
        [
            ("agree", {}, 2),
            ("buyer_shipped", {"carrier_kind": "express", "courier": "申通", "tracking_no": "ST6601"}, 10),
            ("confirm_receipt", {}, 40),
        ],
        60,
    ),
    (
        "refund_only",
        "other",
        "12.00",
        [("agree", {}, 1), ("request_payment", {"remark": "多付的邮费，客户下班前要到账", "green_channel": True}, 2)],
        5,
    ),
    (
        "return_refund",
        "wrong_item",
        "88.00",
        [
            ("agree", {}, 1),
            ("buyer_shipped", {"carrier_kind": "express", "courier": "顺丰", "tracking_no": "SF1402 3344"}, 4),
            ("confirm_receipt", {}, 30),
            ("request_payment", {"remark": "已验货，商品完好"}, 31),
        ],
        48,
    ),
    (
        "refund_only",
        "missing_item",
        "45.00",
        [("agree", {}, 1), ("request_payment", {"remark": "少发一根跳线"}, 2)],
        26,
    ),
    ("refund_only", "other", "20.00", [("agree", {}, 1), ("request_payment", {}, 2), ("pay", {}, 20)], 50),
    ("return_refund", "other", "66.00", [("refuse", {"reason": "商品已拆封使用，影响二次销售"}, 5)], 40),
    (
        "exchange",
        "wrong_item",
        "0",
        [
            ("agree", {}, 1),
            ("buyer_shipped", {"carrier_kind": "express", "courier": "顺丰", "tracking_no": "SF77"}, 3),
            ("confirm_receipt", {}, 30),
            ("ship_replacement", {"courier": "顺丰", "tracking_no": "SF78"}, 31),
            ("complete", {}, 80),
        ],
        200,
    ),
    ("return_refund", "no_reason", "39.00", [("agree", {}, 2), ("close", {}, 30)], 72),
]

# Who fires each event in the demo.
ACTOR = {"pay": "finance", "send_back": "finance", "request_payment": "agent", "buyer_shipped": "agent"}


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
    for i, (kind, reason, amount, steps, hours_ago) in enumerate(CASES):
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
            actor = users.get(ACTOR.get(event, "aftersales"))
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
