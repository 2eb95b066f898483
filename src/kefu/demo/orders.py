"""Demo orders (kefu.aftersales): every order state, COD orders waiting for their call, parcels
with tracking and logistics exceptions, service orders and warranty reminders — written through
the actions, so a fresh ``make serve`` shows full pages. The delivered rice cooker of 高洁 is
linked to her “退货咨询” chat (the after-sales browser test opens it from there)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from kefu.accounts.models import User
from kefu.aftersales import actions
from kefu.aftersales.actions import (
    TrackingUpdate,
    do_add_tracking,
    do_create_order,
    do_create_shipment,
    do_link_order,
    do_record_cod_call,
    do_transition_order,
)
from kefu.aftersales.models import LogisticsException, Order
from kefu.aftersales.orders_input import parse_order
from kefu.conversations.models import Conversation
from kefu.customers.models import Customer, CustomerIdentity

ADDRESSES = {
    "张伟": ("广东省", "深圳市", "南山区科技园科苑路 15 号 A 座 6 楼", "13800138000"),
    "高洁": ("浙江省", "杭州市", "西湖区文三路 90 号 东部软件园 2 号楼", "13912345678"),
    "王强": ("浙江省", "杭州市", "滨江区网商路 599 号", "13700001111"),
    "陳靜": ("福建省", "厦门市", "思明区软件园二期观日路 24 号", "13606060606"),
    "李娜": ("四川省", "成都市", "高新区天府大道中段 1268 号", "13555550000"),
    "买家": ("新疆维吾尔自治区", "乌鲁木齐市", "天山区解放北路 88 号", "13999990000"),
}


def _customer(name: str) -> Customer:
    found = Customer.objects.filter(name=name).order_by("id").first()
    if found is None:  # the taobao buyer has no name
        found = CustomerIdentity.objects.get(value="taobao:快乐小羊2019").customer
    return found


def _order(
    name: str,
    shop: str,
    number: str,
    lines: list[tuple[str, int, str]],
    *,
    at: datetime,
    payment: str = "online",
) -> Order:
    province, city, detail, phone = ADDRESSES[name]
    customer = _customer(name)
    body = {
        "shop": shop,
        "platform_order_no": number,
        "customer": {"name": customer.name, "phone": phone},
        "lines": [{"sku": sku, "quantity": qty, "unit_price": price} for sku, qty, price in lines],
        "payment": payment,
        "address": {
            "name": customer.name or "杨女士",
            "phone": phone,
            "province": province,
            "city": city,
            "detail": detail,
        },
    }
    return do_create_order(parse_order(body), actor=None, now=at, source="demo", customer=customer)


def _ship(order: Order, courier: str, tracking: str, *, at: datetime, actor: Any) -> Any:
    return do_create_shipment(order, kind="outbound", courier=courier, tracking_no=tracking, actor=actor, now=at)


def _track(shipment: Any, events: list[tuple[str, datetime, str, str]], *, now: datetime) -> None:
    updates = [
        TrackingUpdate(kind=kind, happened_at=at, location=where, description=what, external_id=f"demo-{i}")
        for i, (kind, at, where, what) in enumerate(events)
    ]
    do_add_tracking(shipment, updates, source="courier", actor=None, now=now)


def load(now: datetime) -> None:
    users = {u.username: u for u in User.objects.all()}
    staff, tech = users["aftersales"], users["tech"]
    day = timedelta(days=1)
    hour = timedelta(hours=1)

    # 1. Delivered rice cooker of 高洁, linked to her return inquiry chat and the cooker chat.
    cooker = _order("高洁", "jiayou", "JY202611180001", [("RC-3L", 1, "299.00")], at=now - 8 * day)
    s = _ship(cooker, "顺丰", "SF1402258860312", at=now - 7 * day, actor=staff)
    _track(
        s,
        [
            ("picked_up", now - 7 * day, "杭州余杭", "顺丰已揽收"),
            ("in_transit", now - 6 * day, "杭州转运中心", "快件已发往杭州西湖"),
            ("out_for_delivery", now - 5 * day - 4 * hour, "杭州西湖", "快递员正在派送"),
            ("delivered", now - 5 * day, "杭州西湖", "已签收，签收人：本人"),
        ],
        now=now - 5 * day,
    )
    for conversation in Conversation.objects.filter(customer=cooker.customer).order_by("id"):
        do_link_order(cooker, actor=staff, now=now, conversation=conversation)

    # 2. 张伟: modules paid today (to ship), a custom-made converter with burn-in, a completed order.
    modules = _order(
        "张伟",
        "ruiguang",
        "RG202611230007",
        [("SFP10G-SR", 20, "88.00"), ("PC-LC-LC-3M", 20, "12.00")],
        at=now - 2 * hour,
    )
    chat = Conversation.objects.filter(customer=modules.customer, subject="万兆光模块报价").first()
    if chat is not None:
        do_link_order(modules, actor=users["agent"], now=now, conversation=chat)
    converters = _order("张伟", "ruiguang", "RG202611220003", [("MC-1G-SC", 2, "268.00")], at=now - day)
    old = _order("张伟", "ruiguang", "RG202601050021", [("SFP-1G-LX", 50, "45.00")], at=now - 330 * day)
    s_old = _ship(old, "圆通", "YT7788990011", at=now - 329 * day, actor=staff)
    _track(s_old, [("delivered", now - 326 * day, "深圳南山", "已签收")], now=now - 326 * day)
    do_transition_order(old, "complete", actor=None, now=now - 318 * day)

    # 3. COD: waiting for the first call, unreachable once, confirmed (to ship), delivered, refused.
    _order("王强", "ruiguang", "RG202611230011", [("QSFP28-100G-LR4", 2, "1280.00")], at=now - 3 * hour, payment="cod")
    retry = _order("李娜", "jiayou", "JY202611230020", [("CUP-500", 2, "69.00")], at=now - 6 * hour, payment="cod")
    do_record_cod_call(retry, "unreachable", actor=users["agent"], now=now - 5 * hour, note="无人接听")
    confirmed = _order("陳靜", "jiayou", "JY202611220031", [("BED-4PC", 1, "249.00")], at=now - day, payment="cod")
    do_record_cod_call(
        confirmed, "confirmed", actor=users["agent"], now=now - 20 * hour, note="本人确认，知悉货到付款价格"
    )
    for i, outcome in enumerate(["delivered", "delivered", "delivered", "refused"]):
        cod = _order(
            "王强",
            "ruiguang",
            f"RG2026110{i + 1}0090",
            [("SFP-1G-LX", 4, "55.00")],
            at=now - (20 + i) * day,
            payment="cod",
        )
        do_record_cod_call(cod, "confirmed", actor=users["sales"], now=now - (20 + i) * day + hour)
        s_cod = _ship(cod, "中通", f"ZT55500{i}", at=now - (19 + i) * day, actor=staff)
        _track(
            s_cod,
            [(outcome, now - (16 + i) * day, "杭州滨江", "已签收" if outcome == "delivered" else "收件人拒收")],
            now=now,
        )
    declined = _order("李娜", "jiayou", "JY202611210044", [("RC-3L", 1, "309.00")], at=now - 2 * day, payment="cod")
    do_record_cod_call(declined, "declined", actor=users["agent"], now=now - 2 * day + hour, reorder_online=True)

    # 4. Parcels with exceptions: no movement and late (the sweeper flags them), delivery failed, lost.
    sheets = _order("买家", "jiayou", "TB3391827745012", [("BED-4PC", 1, "239.00")], at=now - 9 * day)
    s_sheets = _ship(sheets, "韵达", "YD4300218876", at=now - 8 * day, actor=staff)
    _track(
        s_sheets,
        [
            ("picked_up", now - 8 * day, "杭州余杭", "韵达已揽收"),
            ("in_transit", now - 7 * day, "西安转运中心", "运输中"),
        ],
        now=now - 7 * day,
    )
    failed = _order("陳靜", "ruiguang", "RG202611190015", [("MC-1G-SC", 1, "268.00")], at=now - 6 * day)
    s_failed = _ship(failed, "EMS", "EA123456789CN", at=now - 4 * day, actor=staff)
    _track(
        s_failed,
        [
            ("in_transit", now - 3 * day, "厦门处理中心", "到达厦门"),
            ("delivery_failed", now - day, "厦门思明", "电话无人接听，地址门牌号不详"),
        ],
        now=now - day,
    )
    lost = _order("李娜", "jiayou", "JY202611100008", [("CUP-500", 3, "59.00")], at=now - 14 * day)
    s_lost = _ship(lost, "中通", "ZT7300912244", at=now - 13 * day, actor=staff)
    _track(
        s_lost,
        [("picked_up", now - 13 * day, "杭州", "已揽收"), ("lost", now - 3 * day, "成都转运中心", "快递公司确认丢件")],
        now=now - 3 * day,
    )
    exc = LogisticsException.objects.get(shipment=s_lost, kind="lost")
    actions.check_record_compensation(exc, actor=staff, compensation="先行赔付 177 元")
    actions.check_file_claim(exc, actor=staff, claim_no="ZTO-CLM-20261121-17", amount="177.00")
    actions.sweep_shipments(now)

    # 5. A cancelled order and one still in transit.
    cancelled = _order("高洁", "jiayou", "JY202611150002", [("CUP-500", 1, "59.00")], at=now - 9 * day)
    do_transition_order(
        cancelled, "cancel", actor=users["agent"], now=now - 9 * day + hour, data={"reason": "买家拍错"}
    )
    moving = _order("高洁", "jiayou", "JY202611210009", [("CUP-500", 2, "59.00")], at=now - 2 * day)
    s_moving = _ship(moving, "顺丰", "SF1402258869999", at=now - day, actor=staff)
    _track(
        s_moving,
        [("picked_up", now - day, "杭州余杭", "顺丰已揽收"), ("in_transit", now - 3 * hour, "上海转运中心", "运输中")],
        now=now,
    )

    # 6. Equipment delivered 11 months ago: its warranty ends next month (a reminder to work).
    installed = _order("张伟", "ruiguang", "RG202512240001", [("MC-1G-SC", 4, "268.00")], at=now - 340 * day)
    s_installed = _ship(installed, "顺丰", "SF1300000000001", at=now - 338 * day, actor=staff)
    _track(s_installed, [("delivered", now - 335 * day, "深圳南山", "已签收")], now=now - 335 * day)

    # 7. Service orders: installation booked with the technician, training due within a month,
    #    an inspection done with its result sent, a repair confirmed by the customer.
    zhang, chen = modules.customer, failed.customer
    converter = converters.lines.first()
    actions.do_create_service_order(
        zhang,
        kind="installation",
        actor=staff,
        now=now - 3 * hour,
        description="两台光纤收发器上机安装调试",
        order=converters,
        product=converter.product if converter else None,
        appointment_at=now + day + 2 * hour,
        technician=tech,
    )
    actions.do_create_service_order(
        zhang, kind="training", actor=staff, now=now - 2 * day, description="机房运维人员光模块使用培训", order=old
    )
    inspection = actions.do_create_service_order(
        chen,
        kind="inspection",
        actor=staff,
        now=now - 5 * hour,
        description="收发器指示灯不亮，检测设备",
        technician=tech,
    )
    actions.check_service_arrived(inspection, actor=tech)
    actions.check_finish_service(
        inspection, actor=tech, result="光口模块松动，重新插拔后恢复正常，设备无故障。", parts=[], labour="0"
    )
    first = installed.lines.first()
    repair = actions.do_create_service_order(
        zhang,
        kind="repair",
        actor=staff,
        now=now - 4 * day,
        description="收发器电源适配器损坏",
        order=installed,
        product=first.product if first else None,
        appointment_at=now - 3 * day,
        technician=tech,
    )
    actions.check_service_arrived(repair, actor=tech)
    actions.check_finish_service(
        repair,
        actor=tech,
        result="更换电源适配器，通电测试正常。",
        parts=[{"name": "12V 1A 电源适配器", "quantity": 1, "unit_price": "25.00"}],
        labour="50.00",
    )
    actions.check_confirm_service(repair, actor=staff, note="客户电话确认")
