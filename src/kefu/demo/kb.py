"""Demo data of the knowledge base: readers' votes, an edited article with a version, a draft,
a dictionary word, team and personal canned replies with usage."""

from __future__ import annotations

from datetime import datetime, timedelta

from kefu.accounts.models import Team, User
from kefu.knowledge import actions
from kefu.knowledge.choices import ArticleStatus, CannedCategory, CannedScope
from kefu.knowledge.models import Article, CannedReply


def load(now: datetime) -> None:
    admin = User.objects.get(username="admin")
    supervisor = User.objects.get(username="supervisor")
    agent = User.objects.get(username="agent")
    earlier = now - timedelta(days=3)

    actions.check_add_search_word("光猫", actor=admin, now=earlier)
    shipping = Article.objects.get(key="shipping-when")
    actions.check_update_article(
        shipping,
        actor=supervisor,
        now=earlier,
        follow_up="发货后一般 3–5 天可以到货，偏远地区 5–7 天，具体看地区和快递的派送进度。",
    )
    actions.do_create_article(
        actor=supervisor,
        now=earlier,
        key="spring-festival-shipping",
        title="春节期间发货安排",
        body="<p>腊月二十五至正月初八暂停发货，期间的订单在正月初九起按付款顺序发出。</p>",
        category="shipping",
        is_public=True,
        status=ArticleStatus.DRAFT,
    )
    for n, (key, helpful, comment) in enumerate(
        [
            ("returns-seven-day", True, ""),
            ("returns-seven-day", True, "写得很清楚"),
            ("returns-seven-day", False, "没说定制商品怎么退"),
            ("refunds-how-long", True, ""),
            ("shipping-when", True, ""),
            ("tech-faq-no-link", False, "希望有图"),
        ]
    ):
        actions.do_record_feedback(
            Article.objects.get(key=key), visitor=f"demo-visitor-{n}", helpful=helpful, comment=comment, now=earlier
        )

    team = Team.objects.get(name="售后服务组")
    CannedReply.objects.get_or_create(
        key="team_aftersales_callback",
        defaults={
            "category": CannedCategory.AFTERSALES,
            "title": "售后回访",
            "text": "{客户称呼}您好，我是{店铺名}售后客服{客服名}，您的订单{订单号}问题已经处理好了，请问现在使用还正常吗？",
            "shortcut": "hf1",
            "scope": CannedScope.TEAM,
            "team": team,
            "source": "demo",
        },
    )
    actions.check_create_personal_reply(
        actor=agent,
        now=earlier,
        title="熟客问候",
        text="{客户称呼}您好呀，又见面啦～还是和以前一样走圆通对吧？",
        category=CannedCategory.WELCOME,
        shortcut="sk1",
        note="记住老客户的习惯：先看客户备注里的常用快递",
    )
    for shortcut, uses in (("hy1", 12), ("wl4", 7), ("cf1", 5), ("zl1", 3)):
        reply = CannedReply.objects.filter(shortcut=shortcut).first()
        if reply is not None:
            for _ in range(uses):
                actions.do_count_use(reply.pk)
