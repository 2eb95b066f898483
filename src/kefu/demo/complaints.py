"""Demo complaints and quality inspections: complaints in several states (one overdue and
escalated, one waiting for the supervisor's approval, one answered with its accept link, one
implementing, one closed, one about a staff member verified into the record), and closed chats
inspected with findings — written through the actions at past times, as the product writes them."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from kefu.accounts.models import Team, User
from kefu.complaints.actions import do_fire, do_register_complaint
from kefu.complaints.models import Complaint, StaffFault
from kefu.conversations.actions import do_assign, do_post_message, do_start_conversation, do_transition
from kefu.conversations.choices import AuthorKind
from kefu.conversations.models import Channel
from kefu.customers.actions import do_find_or_create_by_identity
from kefu.quality.actions import inspect_closed
from kefu.sla import deadlines

# name, phone, channel, what happened, wants, severity, the steps ((event, fields)), registered hours ago
COMPLAINTS: list[tuple[str, str, str, str, str, str, list[tuple[str, dict[str, Any]]], float]] = [
    (
        "孙先生",
        "13911110001",
        "phone",
        "来电投诉：订购的20个光模块只到了18个，催了三天没人回复。",
        "补发并给个说法",
        "serious",
        [],
        0.2,
    ),
    (
        "钱女士",
        "13911110002",
        "email",
        "邮件投诉：路由器第二次出现同样故障，要求退货。",
        "退货退款",
        "normal",
        [("contact", {"note": "电话联系钱女士，复述：路由器反复断网，已换过一次"})],
        30,
    ),
    (
        "吴先生",
        "13911110003",
        "marketplace",
        "平台投诉：快递员把包裹扔在门口，交换机摔坏。",
        "换新并补偿",
        "serious",
        [
            ("contact", {"note": "电话联系，客户已拍照"}),
            ("analyse", {"responsibility": "courier", "cause": "快递派送不规范"}),
            (
                "propose",
                {
                    "plan": "顺丰换新一台，送20元优惠券，向快递公司索赔",
                    "compensation": {"kind": "coupon", "amount": "20"},
                },
            ),
        ],
        5,
    ),
    (
        "郑女士",
        "13911110004",
        "chat",
        "在线投诉：客服态度恶劣，说“这个问题和我们没关系”。",
        "道歉",
        "normal",
        [
            ("contact", {"note": "电话联系郑女士，复述：客服推卸责任"}),
            ("analyse", {"responsibility": "staff", "staff": "sales", "cause": "客服推卸责任，违反服务规范"}),
            ("propose", {"plan": "主管电话致歉，送20元优惠券"}),
            ("approve", {"note": "同意"}),
            ("answer", {"answer": "非常抱歉，主管将致电向您道歉，并送您20元优惠券。"}),
        ],
        26,
    ),
    (
        "王先生",
        "13911110005",
        "in_person",
        "上门投诉：安装师傅迟到三小时。",
        "赔偿误工",
        "minor",
        [
            ("contact", {"note": "当面记录"}),
            ("analyse", {"responsibility": "ours", "cause": "排班失误"}),
            ("propose", {"plan": "赔偿50元", "compensation": {"kind": "money", "amount": "50"}}),
            ("approve", {"note": "同意"}),
            ("answer", {"answer": "赔偿您50元，并调整排班。"}),
            ("customer_agrees", {"note": "客户签字确认"}),
            (
                "implement",
                {
                    "tasks": [
                        {"department": "财务", "task": "支付50元补偿", "owner": "finance", "hours": 20},
                        {"department": "技术部", "task": "调整安装排班", "owner": "tech", "hours": -2},
                    ]
                },
            ),
        ],
        50,
    ),
    (
        "冯女士",
        "13911110006",
        "letter",
        "来信投诉：发票抬头开错两次。",
        "重开发票",
        "minor",
        [
            ("contact", {"note": "电话联系"}),
            ("analyse", {"responsibility": "ours", "cause": "录入错误"}),
            ("propose", {"plan": "重开发票并快递寄出"}),
            ("approve", {"note": "同意"}),
            ("answer", {"answer": "今天重开发票寄出"}),
            ("customer_agrees", {"note": "客户电话确认"}),
            ("implement", {"tasks": [{"department": "财务", "task": "重开发票", "owner": "finance", "hours": 4}]}),
            ("track", {"note": "客户已收到发票"}),
            ("close", {"note": "客户满意"}),
        ],
        120,
    ),
]

# Closed chats for the quality pages: (agent, lines of (author, seconds, text)).
CHATS: list[tuple[str, list[tuple[str, int, str]]]] = [
    (
        "agent",
        [
            ("customer", 0, "你好，请问这款光模块有货吗？"),
            ("agent", 5, "您好，欢迎光临！有货的哦，请问需要什么接口？"),
            ("customer", 20, "SFP的，今天能发吗"),
            ("agent", 28, "可以的，今天4点前付款当天发出，一般3-5天到。"),
            ("customer", 40, "好的谢谢"),
            ("agent", 45, "不客气，感谢您的支持！"),
        ],
    ),
    (
        "agent",
        [
            ("customer", 0, "在吗？"),
            ("agent", 40, "在的"),
            ("customer", 50, "我的快递到哪了"),
            ("agent", 95, "不知道，快递那边没更新。"),
            ("customer", 100, "那什么时候能到？"),
        ],
    ),
    (
        "sales",
        [
            ("customer", 0, "你们发错货了，太气人了！"),
            ("agent", 6, "请提供订单号。"),
            ("customer", 20, "20240601888"),
            ("agent", 30, "已经补发了。如果没有其他问题的话，再见！"),
        ],
    ),
]


def load(now: datetime) -> None:
    users = {u.username: u for u in User.objects.all()}
    team = Team.objects.filter(name="售后服务组").first()
    sup = users["supervisor"]
    handler = users["aftersales"]
    for name, phone, channel, summary, wants, severity, steps, hours in COMPLAINTS:
        at = now - timedelta(hours=hours)
        customer, _created = do_find_or_create_by_identity("phone", phone, now=at, defaults={"name": name})
        complaint = do_register_complaint(
            customer,
            actor=users["agent"],
            now=at,
            channel=channel,
            summary=summary,
            wants=wants,
            severity=severity,
            team=team,
        )
        for n, (event, fields) in enumerate(steps, start=1):
            data = dict(fields)
            if event == "implement":
                data["tasks"] = [
                    {**task, "due": now + timedelta(hours=task.pop("hours"))}
                    for task in [dict(t) for t in data["tasks"]]
                ]
            actor = sup if event in ("approve", "send_back") else handler
            do_fire(complaint, event, actor=actor, now=at + timedelta(minutes=20 * n), data=data)
    # The staff complaint was verified by the supervisor: the first entry of the record.
    staff_case = Complaint.objects.filter(about_staff=users.get("sales")).first()
    if staff_case is not None:
        StaffFault.objects.create(
            complaint=staff_case,
            staff=users["sales"],
            verified_by=sup,
            verified_at=now - timedelta(hours=20),
            level_at_verification="warning",
        )
    deadlines.sweep(now)  # the overdue ones escalate now, as the sweeper would
    _chats(now, users)


def _chats(now: datetime, users: dict[str, User]) -> None:
    channel = Channel.objects.filter(kind="web_chat").first()
    if channel is None:
        return
    for n, (agent_name, lines) in enumerate(CHATS):
        start = now - timedelta(hours=3 + n)
        customer, _created = do_find_or_create_by_identity(
            "phone", f"1370000{n:04d}", now=start, defaults={"name": f"质检客户{n + 1}"}
        )
        agent = users[agent_name]
        conversation = do_start_conversation(channel, customer, now=start, subject="咨询")
        do_assign(conversation, assignee=agent, team=None, actor=agent, now=start)
        for author, seconds, text in lines:
            do_post_message(
                conversation,
                author_kind=AuthorKind.AGENT if author == "agent" else AuthorKind.CUSTOMER,
                author=agent if author == "agent" else None,
                text=text,
                now=start + timedelta(seconds=seconds),
            )
        end = start + timedelta(minutes=10)
        do_transition(conversation, "resolve", actor=agent, now=end)
        do_transition(conversation, "close", actor=agent, now=end)
    inspect_closed(now, budget_seconds=3600)
