"""The demo company: two shops, staff of every role, customers, conversations, tickets.

Loaded by ``kefu demo`` (and once by ``make serve``).  Everything is written through the
actions, exactly as the product writes it, so the demo is also a smoke test of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction

from kefu.accounts.actions import (
    check_set_max_chats,
    do_add_team_member,
    do_create_team,
    do_create_user,
    do_set_presence,
)
from kefu.accounts.choices import Presence, Role, TeamKind
from kefu.accounts.models import User
from kefu.conversations import outbound
from kefu.conversations.actions import do_assign, do_post_message, do_start_conversation, do_transition
from kefu.conversations.choices import AuthorKind, ChannelKind, RoutingStrategy
from kefu.conversations.models import Channel
from kefu.core import clock
from kefu.core.choices import Priority, ServiceClass, Stage
from kefu.customers.actions import (
    check_add_address,
    check_assign_owner,
    check_set_usual_products,
    check_set_vip_tier,
    do_add_remark,
    do_create_customer,
)
from kefu.customers.choices import CustomerType, IdentityKind, RemarkKind, VipTier
from kefu.demo.cases import load as load_cases
from kefu.knowledge.canned import load_default_library
from kefu.shops.models import Product, Shop
from kefu.tickets.actions import do_add_ticket_remark, do_assign_ticket, do_create_ticket, do_transition_ticket
from kefu.tickets.choices import TicketType

DEMO_PASSWORD = "kefu2026"


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    display_name: str


USERS = (
    DemoUser("admin", Role.ADMIN, "系统管理员"),
    DemoUser("agent", Role.RECEPTION, "小美"),
    DemoUser("aftersales", Role.AFTERSALES, "小刘"),
    DemoUser("finance", Role.FINANCE, "王会计"),
    DemoUser("sales", Role.SALES, "陈经理"),
    DemoUser("tech", Role.TECHNICIAN, "赵工"),
    DemoUser("supervisor", Role.SUPERVISOR, "周主管"),
)


def is_loaded() -> bool:
    return Shop.objects.filter(code="ruiguang").exists()


def load() -> bool:
    """Load the demo data; returns False (and changes nothing) when it is already there."""
    if is_loaded():
        return False
    now = clock.now()
    with transaction.atomic(), outbound.suppressed():
        _load(now)
    return True


def _load(now: datetime) -> None:
    users = {
        u.username: do_create_user(
            u.username,
            password=DEMO_PASSWORD,
            role=u.role,
            display_name=u.display_name,
            email=f"{u.username}@example.com",
            now=now,
        )
        for u in USERS
    }
    for name in ("agent", "aftersales", "supervisor"):
        do_set_presence(users[name], Presence.ONLINE, now=now)
    do_set_presence(users["sales"], Presence.AWAY, now=now)

    online = do_create_team("在线客服组", leader=users["supervisor"], now=now)
    aftersales = do_create_team("售后服务组", leader=users["supervisor"], now=now)
    vip = do_create_team("VIP专席", kind=TeamKind.SKILL, is_vip=True, leader=users["supervisor"], now=now)
    finance = do_create_team("财务退款组", now=now)
    for team, members in (
        (online, ("agent", "supervisor", "sales")),
        (aftersales, ("aftersales", "tech", "supervisor")),
        (vip, ("agent", "supervisor")),
        (finance, ("finance",)),
    ):
        for member in members:
            do_add_team_member(team, users[member], now=now)

    ruiguang = Shop.objects.create(
        code="ruiguang",
        name="瑞光极远光通信",
        description="光模块、光纤跳线、光纤收发器（seed 003 的光通信设备厂家）",
        phone="400-800-1234",
        return_address="深圳市南山区科技园南区高新南一道 8 号 瑞光极远售后部 收",
        created_at=now,
    )
    jiayou = Shop.objects.create(
        code="jiayou",
        name="悦家生活馆",
        description="日用百货、小家电",
        phone="400-800-5678",
        return_address="杭州市余杭区仓前街道文一西路 1500 号 悦家仓库退货组 收",
        created_at=now,
    )
    products = {
        p[1]: Product.objects.create(
            shop=p[0],
            sku=p[1],
            name=p[2],
            category=p[3],
            price=Decimal(p[4]),
            weight_grams=p[5],
            warranty_months=p[6],
            custom_made=p[7],
            burn_in_hours=p[8],
            specs=p[9],
        )
        for p in (
            (
                ruiguang,
                "SFP-1G-LX",
                "千兆单模光模块 1.25G 1310nm 20km",
                "光模块",
                "45.00",
                20,
                36,
                False,
                0,
                {"速率": "1.25G", "波长": "1310nm", "距离": "20km", "接口": "LC 双纤"},
            ),
            (
                ruiguang,
                "SFP10G-SR",
                "万兆多模光模块 SFP+ 850nm 300m",
                "光模块",
                "88.00",
                20,
                36,
                False,
                0,
                {"速率": "10G", "波长": "850nm", "距离": "300m", "接口": "LC 双纤"},
            ),
            (
                ruiguang,
                "QSFP28-100G-LR4",
                "100G 单模光模块 QSFP28 LR4 10km",
                "光模块",
                "1680.00",
                40,
                36,
                False,
                0,
                {"速率": "100G", "距离": "10km", "功耗": "≤3.5W"},
            ),
            (ruiguang, "PC-LC-LC-3M", "LC-LC 单模双芯光纤跳线 3 米", "跳线", "12.00", 50, 12, False, 0, {}),
            (
                ruiguang,
                "MC-1G-SC",
                "千兆光纤收发器 单模单纤 SC（定制标签）",
                "收发器",
                "168.00",
                300,
                24,
                True,
                24,
                {"电源": "5V 1A 外置", "接口": "SC + RJ45"},
            ),
            (jiayou, "RC-3L", "智能电饭煲 3L", "小家电", "299.00", 3500, 12, False, 0, {}),
            (jiayou, "CUP-500", "不锈钢保温杯 500ml", "日用", "59.00", 400, 6, False, 0, {}),
            (jiayou, "BED-4PC", "纯棉床上四件套 1.8m", "家纺", "239.00", 2200, 0, False, 0, {}),
        )
    }

    web_rg = Channel.objects.create(
        name="瑞光官网在线客服",
        kind=ChannelKind.WEB_CHAT,
        key="ruiguang-web",
        shop=ruiguang,
        team=online,
        welcome="您好，欢迎咨询瑞光极远，请问有什么可以帮您？",
        secret="demo-secret-ruiguang-change-me",
        routing=RoutingStrategy.LEAST_BUSY,
        vip_team=vip,
    )
    web_jy = Channel.objects.create(
        name="悦家网店客服",
        kind=ChannelKind.WEB_CHAT,
        key="jiayou-web",
        shop=jiayou,
        team=online,
        welcome="亲，欢迎光临悦家家居旗舰店～",
        routing=RoutingStrategy.ROUND_ROBIN,
        prechat_form=True,
        hours=[{"days": [0, 1, 2, 3, 4, 5, 6], "start": "09:00", "end": "22:00"}],
    )
    email = Channel.objects.create(
        name="客服邮箱 service@ruiguang.example",
        kind=ChannelKind.EMAIL,
        key="ruiguang-email",
        shop=ruiguang,
        team=aftersales,
    )
    hotline = Channel.objects.create(
        name="400 服务热线",
        kind=ChannelKind.PHONE,
        key="hotline",
        shop=ruiguang,
        team=aftersales,
        secret="demo-secret-hotline-change-me",  # signs POST /api/v1/calls/events (docs/email.md)
    )
    taobao = Channel.objects.create(
        name="淘宝店铺旺旺", kind=ChannelKind.PLATFORM, key="taobao-jiayou", shop=jiayou, team=online
    )
    load_default_library()
    from kefu.demo.kb import load as load_kb

    load_kb(now)  # knowledge-base votes, versions, canned replies (kefu.demo.kb)

    def customer(name: str, gender: str, ids: list[tuple[str, str]], **kw: object):  # type: ignore[no-untyped-def]
        return do_create_customer(now=now, name=name, gender=gender, identities=ids, **kw)

    zhang = customer(
        "张伟",
        "male",
        [(IdentityKind.PHONE, "13800138000"), (IdentityKind.EMAIL, "zhangwei@example.com")],
        company="深圳市云联网络科技有限公司",
        customer_type=CustomerType.PERMANENT,
        score=92,
        usual_courier="圆通",
    )
    admin = users["admin"]
    # The supervisor watches and whispers rather than taking chats of their own.
    check_set_max_chats(users["supervisor"], 0, actor=admin)
    check_set_vip_tier(zhang, VipTier.GOLD, actor=admin)
    check_assign_owner(zhang, users["sales"], actor=admin)
    check_set_usual_products(zhang, [products["SFP10G-SR"], products["PC-LC-LC-3M"]], actor=admin)
    do_add_remark(zhang, "每次发货都要附纸质发票，发票抬头：深圳市云联网络科技有限公司", author=users["agent"], now=now)
    check_add_address(
        zhang,
        actor=admin,
        name="张伟",
        phone="13800138000",
        province="广东省",
        city="深圳市",
        district="南山区",
        detail="科技园科苑路 15 号 A 座 6 楼",
        is_default=True,
    )

    gao = customer(
        "高洁",
        "female",
        [(IdentityKind.PHONE, "13912345678"), (IdentityKind.VISITOR, "v-gao-7f3a")],
        customer_type=CustomerType.PERMANENT,
        score=80,
        usual_courier="顺丰",
        salutation="高小姐",
    )
    check_set_vip_tier(gao, VipTier.SILVER, actor=admin)
    check_set_usual_products(gao, [products["RC-3L"]], actor=admin)
    do_add_remark(gao, "白天上班不方便接电话，请先发短信再联系", author=users["agent"], now=now)
    check_add_address(
        gao,
        actor=admin,
        name="高洁",
        phone="13912345678",
        province="浙江省",
        city="杭州市",
        district="西湖区",
        detail="文三路 90 号 东部软件园 2 号楼",
        is_default=True,
    )

    li = customer(
        "李娜", "female", [(IdentityKind.VISITOR, "v-li-22c1")], customer_type=CustomerType.POTENTIAL, score=35
    )
    wang = customer(
        "王强",
        "male",
        [(IdentityKind.PHONE, "+86 137-0000-1111")],
        customer_type=CustomerType.POTENTIAL,
        score=20,
        company="杭州数联科技",
    )
    chen = customer(
        "陳靜",
        "female",
        [(IdentityKind.EMAIL, "chenjing@example.com.tw")],
        customer_type=CustomerType.PERMANENT,
        score=60,
    )
    buyer = customer("", "", [(IdentityKind.PLATFORM, "taobao:快乐小羊2019")], customer_type=CustomerType.POTENTIAL)
    do_add_remark(
        buyer, "买家要求用纸箱包装，不要用编织袋", author=users["agent"], now=now, kind=RemarkKind.SPECIAL_REQUEST
    )

    def chat(channel: Channel, who, subject: str, lines: list[tuple[str, str, int]], **kw: object):  # type: ignore[no-untyped-def]
        start = now - timedelta(seconds=max(t for _a, _t, t in lines) + 30)
        conversation = do_start_conversation(channel, who, now=start, subject=subject, **kw)  # type: ignore[arg-type]
        for author, text, ago in sorted(lines, key=lambda item: -item[2]):
            kind = AuthorKind.CUSTOMER if author == "c" else AuthorKind.AGENT
            agent = None if author == "c" else users[author]
            do_post_message(
                conversation,
                author_kind=kind,
                text=text,
                author=agent,
                now=now - timedelta(seconds=ago),
                is_internal=author.startswith("note"),
            )
        return conversation

    c1 = chat(
        web_jy,
        gao,
        "退货咨询",
        [("c", "你好，我想问一下退货", 40)],
        service_class=ServiceClass.AFTER_SALES,
        stage=Stage.AFTER_SALE,
    )
    do_assign(c1, assignee=users["agent"], team=online, actor=None, now=now - timedelta(seconds=35), reason="demo")
    c2 = chat(
        web_rg,
        zhang,
        "万兆光模块报价",
        [
            ("c", "你好，SFP+ 万兆多模模块有货吗？要 20 个", 900),
            ("agent", "张先生您好！有现货的哦，还是和以前一样走圆通对吧？", 880),
            ("c", "对，还是圆通。什么时候能发货？", 860),
            ("agent", "今天下单明天就能发出，一般 3-5 天到货～", 850),
        ],
        service_class=ServiceClass.ORDERING,
        stage=Stage.PRE_SALE,
        priority=Priority.HIGH,
    )
    do_assign(c2, assignee=users["agent"], team=vip, actor=None, now=now - timedelta(seconds=870), reason="demo")
    c3 = chat(
        web_rg,
        li,
        "光模块兼容性",
        [("c", "你们的模块兼容华为交换机吗？", 25)],
        service_class=ServiceClass.INFORMATION,
        stage=Stage.PRE_SALE,
    )
    c4 = chat(
        email,
        chen,
        "收發器無法連線",
        [
            ("c", "您好，上週購買的光纖收發器插上後無法連線，燈不亮，請問怎麼處理？", 7200),
            ("aftersales", "陈女士您好，麻烦您拍一下设备指示灯和接线的照片发给我们，我们的工程师帮您看看。", 7000),
        ],
        service_class=ServiceClass.AFTER_SALES,
        stage=Stage.AFTER_SALE,
    )
    do_assign(
        c4, assignee=users["aftersales"], team=aftersales, actor=None, now=now - timedelta(seconds=7100), reason="demo"
    )
    do_transition(c4, "pend", actor=users["aftersales"], now=now - timedelta(seconds=6900))
    c5 = chat(
        taobao,
        buyer,
        "催发货",
        [
            ("c", "亲，我的四件套怎么还没发货？", 86400),
            ("agent", "亲，非常抱歉让您久等了，已经帮您催促仓库，今天下午一定发出哦～", 86300),
            ("c", "好的谢谢", 86200),
            ("agent", "不客气，感谢您的耐心，祝您生活愉快！", 86100),
        ],
        service_class=ServiceClass.DELIVERY,
        stage=Stage.IN_SALE,
    )
    do_assign(c5, assignee=users["agent"], team=online, actor=None, now=now - timedelta(seconds=86250), reason="demo")
    do_transition(c5, "resolve", actor=users["agent"], now=now - timedelta(seconds=86000))
    c6 = chat(
        hotline,
        wang,
        "电话咨询：100G 模块功耗",
        [
            ("c", "（来电）100G LR4 模块功耗多少？", 172800),
            ("sales", "不超过 3.5W，已把规格书发到客户邮箱。", 172700),
        ],
        service_class=ServiceClass.INFORMATION,
        stage=Stage.PRE_SALE,
    )
    do_assign(c6, assignee=users["sales"], team=online, actor=None, now=now - timedelta(seconds=172750), reason="demo")
    do_transition(c6, "resolve", actor=users["sales"], now=now - timedelta(seconds=172600))
    do_transition(c6, "close", actor=users["supervisor"], now=now - timedelta(seconds=86400))
    c7 = chat(
        web_jy,
        gao,
        "电饭煲内胆涂层",
        [
            ("c", "电饭煲内胆有点掉涂层，可以换吗？", 3600),
            ("agent", "高小姐您好，请您拍一张内胆的照片，我们马上为您处理。", 3500),
        ],
        service_class=ServiceClass.AFTER_SALES,
        stage=Stage.AFTER_SALE,
    )
    do_assign(c7, assignee=users["agent"], team=online, actor=None, now=now - timedelta(seconds=3550), reason="demo")
    do_post_message(
        c7,
        author_kind=AuthorKind.AGENT,
        text="质量问题，已转售后小刘跟进换货",
        author=users["agent"],
        now=now - timedelta(seconds=3400),
        is_internal=True,
    )
    do_transition(
        c7, "snooze", actor=users["agent"], now=now - timedelta(seconds=3300), snooze_until=now + timedelta(hours=3)
    )

    t1 = do_create_ticket(
        gao,
        subject="电饭煲内胆掉涂层，申请换货",
        now=now - timedelta(seconds=3300),
        actor=users["agent"],
        conversation=c7,
        team=aftersales,
        type=TicketType.RETURN_EXCHANGE,
        source=ChannelKind.WEB_CHAT,
        shop=jiayou,
        description="客户反映内胆涂层脱落，已请客户拍照。",
    )
    do_assign_ticket(
        t1, assignee=users["aftersales"], team=aftersales, actor=users["agent"], now=now - timedelta(seconds=3200)
    )
    do_add_ticket_remark(
        t1, "已联系仓库准备换货，等客户照片。", author=users["aftersales"], now=now - timedelta(seconds=3000)
    )
    t2 = do_create_ticket(
        chen,
        subject="光纤收发器无法连线，需工程师远程指导",
        now=now - timedelta(seconds=6800),
        actor=users["aftersales"],
        conversation=c4,
        team=aftersales,
        type=TicketType.REPAIR,
        source=ChannelKind.EMAIL,
        shop=ruiguang,
        priority=Priority.HIGH,
    )
    do_assign_ticket(
        t2, assignee=users["tech"], team=aftersales, actor=users["supervisor"], now=now - timedelta(seconds=6700)
    )
    do_transition_ticket(t2, "wait_customer", actor=users["tech"], now=now - timedelta(seconds=6600))
    do_create_ticket(
        zhang,
        subject="开具 20 个 SFP+ 模块的增值税专用发票",
        now=now - timedelta(seconds=800),
        actor=users["agent"],
        conversation=c2,
        type=TicketType.BILLING,
        shop=ruiguang,
    )
    t4 = do_create_ticket(
        buyer,
        subject="四件套催发货",
        now=now - timedelta(seconds=86300),
        actor=users["agent"],
        conversation=c5,
        type=TicketType.DELIVERY,
        shop=jiayou,
        team=online,
    )
    do_assign_ticket(t4, assignee=users["agent"], team=online, actor=users["agent"], now=now - timedelta(seconds=86200))
    do_transition_ticket(t4, "resolve", actor=users["agent"], now=now - timedelta(seconds=86000))
    t5 = do_create_ticket(
        wang,
        subject="100G 模块规格书",
        now=now - timedelta(seconds=172700),
        actor=users["sales"],
        conversation=c6,
        type=TicketType.CONSULTATION,
        shop=ruiguang,
    )
    do_assign_ticket(
        t5, assignee=users["sales"], team=online, actor=users["sales"], now=now - timedelta(seconds=172650)
    )
    do_transition_ticket(t5, "resolve", actor=users["sales"], now=now - timedelta(seconds=172600))
    do_transition_ticket(t5, "close", actor=users["supervisor"], now=now - timedelta(seconds=86400))
    _ = (c3, hotline)
    from kefu.demo.orders import load as load_orders

    load_orders(now)  # orders, parcels, COD, service orders (kefu.demo.orders)
    load_cases(now)  # after-sales cases and compensations (kefu.demo.cases)
    from kefu.demo.complaints import load as load_complaints

    load_complaints(now)  # complaints in several states, inspected chats (kefu.demo.complaints)
    from kefu.demo.assist import load as load_assist

    load_assist(now)  # the FAQ bot on the home-goods web chat, customers' moods (kefu.demo.assist)


def logins() -> list[tuple[str, str, str]]:
    return [
        (u.username, DEMO_PASSWORD, str(Role(u.role).label))
        for u in USERS
        if User.objects.filter(username=u.username).exists()
    ]
