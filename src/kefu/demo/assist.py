"""Demo data of the FAQ bot and agent assist: the bot answers first in the home-goods shop's web chat
(悦家网店客服), one chat it answered and then handed over on 转人工, and the mood of every open chat's
customer analysed, so "soothe first" and the raised priorities show on a fresh ``make serve``."""

from __future__ import annotations

from datetime import datetime, timedelta

from kefu.assist.actions import analyze_new_customer_messages
from kefu.bot.actions import do_bot_turn, do_set_channel_bot, take_first_turn
from kefu.conversations.actions import do_post_message, do_start_conversation
from kefu.conversations.choices import AuthorKind, ConversationStatus
from kefu.conversations.models import Channel, Conversation
from kefu.customers.actions import do_create_customer


def load(now: datetime) -> None:
    channel = Channel.objects.get(key="jiayou-web")
    do_set_channel_bot(channel, enabled=True, actor=None, now=now - timedelta(days=1))
    start = now - timedelta(minutes=6)
    visitor = do_create_customer(now=start, name="访客 4821", identities=[("visitor", "demo-visitor-4821")])
    chat = do_start_conversation(channel, visitor, now=start, subject="退款多久到账")
    take_first_turn(chat, start)
    for seconds, text in ((0, "请问退款多久能到账？"), (60, "我申请三天了还没到，转人工")):
        do_post_message(chat, author_kind=AuthorKind.CUSTOMER, text=text, now=start + timedelta(seconds=seconds))
        do_bot_turn(chat.pk, now=start + timedelta(seconds=seconds + 1))
    for conversation in Conversation.objects.exclude(status=ConversationStatus.CLOSED).only("pk"):
        analyze_new_customer_messages(conversation.pk, now=now)
