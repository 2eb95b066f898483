"""Live assist: canned-reply suggestions that follow the conversation (issue 15, R17, R19, R20).

``suggestions(conversation, agent)`` ranks the canned replies the agent may use by

* the **stored** analysis of the customer's last message (``MessageEmotion``: emotion and intent —
  read, never computed again here; a message the worker has not analysed yet counts as unknown),
* the **stage of the sale** (the conversation's own stage, else what its linked order says),

and adds the seed's "anticipate the next question" (R17): asked when an order ships, also say when it
usually arrives — with the linked order's own estimate (``kefu.aftersales.estimate``) when there is one.

An upset customer (unhappy or angry) gets the soothing and remedy phrases first, and never the phrases
that would read as indifference at that moment: asking for a five-star review, promotions, haggling
over the price, a cheerful goodbye.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kefu.assist.choices import Emotion
from kefu.assist.models import MessageEmotion
from kefu.core.choices import Stage
from kefu.core.text import to_traditional
from kefu.knowledge.canned import ZH_HANT, customer_language, picker_items
from kefu.knowledge.choices import CannedCategory as C
from kefu.knowledge.selectors import canned_visible_to

LIMIT = 6

# R19's seven steps for an upset customer: apologise and take it on, check at once, then a firm remedy.
SOOTHE_KEYS = (
    "dissatisfied_apologize_cooperate",
    "logistics_checking",
    "quality_ask_photos",
    "aftersales_coupon_20",
)
REMEDY_KEYS = ("quality_return_exchange", "dissatisfied_seven_day_return", "logistics_year_end_delay")
# Never offered to an upset customer: they read as not listening.
UPSET_NEVER_CATEGORIES = {C.BARGAIN, C.NOT_INTERESTED, C.WELCOME, C.GREETING_PHONE, C.CLOSING, C.PAYMENT}
UPSET_NEVER_KEYS = {"aftersales_agent_intro_review", "closing_ask_good_review", "logistics_courier_delay"}
UPSET_NEVER_WORDS = ("好评", "五星", "优惠活动", "满减", "8折", "呵呵")

# The intent of the last customer message → the scenarios that answer it, best first.
INTENT_CATEGORIES: dict[str, tuple[str, ...]] = {
    "consultation": (C.PRODUCT_CHOICE, C.STOCK, C.TRUST),
    "stock": (C.STOCK, C.PRODUCT_CHOICE),
    "price": (C.BARGAIN, C.NOT_INTERESTED),
    "payment": (C.PAYMENT,),
    "shipping_fee": (C.SHIPPING_FEE, C.COURIER),
    "courier": (C.COURIER, C.SHIPPING_FEE),
    "hurry": (C.HURRY_SHIPPING, C.LOGISTICS),
    "logistics": (C.LOGISTICS, C.HURRY_SHIPPING),
    "return": (C.DISSATISFIED, C.QUALITY, C.AFTERSALES),
    "exchange": (C.DISSATISFIED, C.QUALITY, C.AFTERSALES),
    "refund": (C.AFTERSALES, C.DISSATISFIED),
    "quality": (C.QUALITY, C.AFTERSALES),
    "complaint": (C.DISSATISFIED, C.AFTERSALES, C.QUALITY),
    "repair": (C.QUALITY, C.AFTERSALES),
    "greeting": (C.WELCOME,),
    "human": (C.WELCOME,),
    "thanks": (C.CLOSING,),
}
# The stage of the sale → the scenarios of that stage (R15, R16, R20).
STAGE_CATEGORIES: dict[str, tuple[str, ...]] = {
    Stage.PRE_SALE: (C.WELCOME, C.STOCK, C.PRODUCT_CHOICE, C.TRUST, C.BARGAIN, C.NOT_INTERESTED),
    Stage.IN_SALE: (C.PAYMENT, C.SHIPPING_FEE, C.COURIER, C.HURRY_SHIPPING, C.CLOSING),
    Stage.AFTER_SALE: (C.LOGISTICS, C.DISSATISFIED, C.QUALITY, C.AFTERSALES, C.CLOSING),
}
# "When does it ship?" — the question R17 says to answer one step ahead.
SHIP_INTENTS = {"hurry", "logistics"}
SHIP_QUESTION = re.compile(
    r"(什么时候|什麼時候|几时|幾時|多久|几天|幾天|哪天|何时|何時|啥时候|今天|明天|能不能|可以).{0,6}(发|發|寄|出)(货|貨|出|走)?|发货了吗|發貨了嗎|发了吗|發了嗎|还没发|還沒發"
)
ANTICIPATE_KEY = "logistics_delivery_time"  # 1–3 days to ship, 3–5 days to arrive (seed 003)

# Why a suggestion is offered, shown beside it.
REASONS = {
    "soothe": gettext_lazy("Soothe first"),
    "remedy": gettext_lazy("Remedy"),
    "anticipate": gettext_lazy("Anticipate the next question"),
    "intent": gettext_lazy("Answers the question"),
    "stage": gettext_lazy("Stage of the sale"),
}


@dataclass
class Suggestion:
    id: int | None  # the canned reply's id (None: composed here, e.g. the order's estimate)
    key: str
    title: str
    text: str  # variables filled, in the customer's script
    note: str  # the authors' note to the agent: shown, never sent
    kind: str  # soothe | remedy | anticipate | intent | stage
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Context:
    emotion: str  # calm | unhappy | angry | "" (not analysed yet, or no customer message)
    intent: str
    stage: str
    stage_inferred: bool
    ship_question: bool
    order_number: str
    analysed: bool
    pending: bool  # a customer message the worker has not analysed yet

    @property
    def upset(self) -> bool:
        return self.emotion in (Emotion.UNHAPPY, Emotion.ANGRY)


def _linked_order(conversation: Any) -> Any:
    try:
        from kefu.aftersales.selectors import linked_order
    except ImportError:  # the orders app is optional
        return None
    return linked_order(conversation=conversation)


def _stage(conversation: Any, order: Any) -> tuple[str, bool]:
    """The conversation's stage as the agent classified it, else what its linked order implies."""
    if conversation.stage:
        return conversation.stage, False
    if order is None:
        return Stage.PRE_SALE, True
    status = str(order.status)
    if status in ("pending_confirmation", "pending_payment", "paid", "confirmed"):
        return Stage.IN_SALE, True
    return Stage.AFTER_SALE, True


def context_of(conversation: Any, *, order: Any = None) -> Context:
    """What the suggestions follow: the stored analysis of the last public customer message and the stage."""
    last = (
        conversation.messages.filter(author_kind="customer", is_internal=False)
        .exclude(text="")
        .order_by("-id")
        .only("id", "text")
        .first()
    )
    stored = MessageEmotion.objects.filter(message_id=last.pk).first() if last is not None else None
    stage, inferred = _stage(conversation, order)
    intent = stored.intent if stored else ""
    text = last.text if last is not None else ""
    return Context(
        emotion=stored.emotion if stored else "",
        intent=intent,
        stage=stage,
        stage_inferred=inferred,
        ship_question=intent in SHIP_INTENTS or bool(SHIP_QUESTION.search(text)),
        order_number=str(order.number) if order is not None else "",
        analysed=stored is not None,
        pending=last is not None and stored is None,
    )


def _estimate_sentence(order: Any) -> str:
    """The linked order's own dispatch and arrival estimate, as said to the customer (zh-Hans)."""
    from kefu.aftersales.selectors import estimate_text

    with translation.override(settings.LANGUAGE_CODE):
        return _("Your order %(number)s: %(estimate)s") % {"number": order.number, "estimate": estimate_text(order)}


def _allowed(reply: Any, ctx: Context) -> bool:
    if not ctx.upset:
        return True
    if reply.category in UPSET_NEVER_CATEGORIES or reply.key in UPSET_NEVER_KEYS:
        return False
    return not any(word in reply.text for word in UPSET_NEVER_WORDS)


def suggestions(conversation: Any, agent: Any, *, limit: int = LIMIT) -> tuple[Context, list[Suggestion]]:
    """The ranked suggestions for ``conversation`` as ``agent`` sees them (company, own teams', own
    replies of the conversation's shop), each with its variables filled and the reason it is offered."""
    order = _linked_order(conversation)
    ctx = context_of(conversation, order=order)
    replies = canned_visible_to(agent)
    shop_id = conversation.channel.shop_id
    if shop_id:
        replies = replies.filter(shop__isnull=True) | replies.filter(shop_id=shop_id)
    else:
        replies = replies.filter(shop__isnull=True)
    pool = [r for r in replies.order_by("-usage_count", "key")[:500] if _allowed(r, ctx)]
    by_key = {r.key: r for r in pool}

    ranked: list[tuple[str, Any]] = []
    seen: set[int] = set()

    def take(kind: str, reply: Any) -> None:
        if reply is not None and reply.pk not in seen:
            seen.add(reply.pk)
            ranked.append((kind, reply))

    if ctx.upset:
        for key in SOOTHE_KEYS:
            take("soothe", by_key.get(key))
    own_estimate = ctx.ship_question and order is not None
    if ctx.ship_question and not own_estimate:
        take("anticipate", by_key.get(ANTICIPATE_KEY))
    elif own_estimate and ANTICIPATE_KEY in by_key:
        seen.add(by_key[ANTICIPATE_KEY].pk)  # the order's own dates say it better than "3–5 days"
    estimate_at = len(ranked)  # the order's own estimate goes here: after soothing, before the rest
    if ctx.upset:
        for key in REMEDY_KEYS:
            take("remedy", by_key.get(key))
    for category in INTENT_CATEGORIES.get(ctx.intent, ()):
        for reply in pool:
            if reply.category == category:
                take("intent", reply)
    for category in STAGE_CATEGORIES.get(ctx.stage, ()):
        for reply in pool:
            if reply.category == category:
                take("stage", reply)

    ranked = ranked[: max(limit - (1 if own_estimate else 0), 0)]
    filled = {item["id"]: item for item in picker_items(conversation, agent, [r for _k, r in ranked])}
    out: list[Suggestion] = []
    for kind, reply in ranked:
        item = filled[reply.pk]
        out.append(
            Suggestion(
                id=reply.pk,
                key=reply.key,
                title=item["title"],
                text=item["text"],
                note=item["note"],
                kind=kind,
                reason=str(REASONS[kind]),
            )
        )
    if own_estimate:
        text = _estimate_sentence(order)
        if customer_language(conversation) == ZH_HANT:
            text = to_traditional(text)
        own = Suggestion(
            id=None,
            key="order_estimate",
            title=_("When order %(number)s ships and arrives") % {"number": order.number},
            text=text,
            note="",
            kind="anticipate",
            reason=str(REASONS["anticipate"]),
        )
        out.insert(min(estimate_at, len(out)), own)
    return ctx, out
