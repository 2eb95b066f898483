"""Writes of the FAQ bot: per-channel settings, taking a new chat's first turn, answering, handing over.

The bot is wired in without the conversations app knowing it: ``apps.py`` registers
:func:`take_first_turn` as a first responder of ``kefu.conversations.visitors`` and
:func:`messages_stored` as a listener of ``kefu.conversations.hooks``.  Answers are computed after
the customer's message is committed (task ``bot.turn``), so the chat's write path stays fast.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from kefu.bot.answer import BotAnswer, answer
from kefu.bot.choices import BotState, HandoffReason
from kefu.bot.models import DEFAULT_THRESHOLD, BotChannelSetting, BotSession
from kefu.bot.transitions import bot_session_machine
from kefu.conversations.choices import AuthorKind, ChannelKind
from kefu.conversations.models import Channel, Conversation, Message
from kefu.core import clock
from kefu.core.actions import action
from kefu.core.bulk import values_where
from kefu.core.errors import ValidationFailed
from kefu.core.records import save_changes


def setting_for(channel: Channel) -> BotChannelSetting | None:
    return BotChannelSetting.objects.filter(channel=channel).first()


def do_set_channel_bot(
    channel: Channel, *, enabled: bool, threshold: float | None = None, actor: Any, now: datetime
) -> BotChannelSetting:
    if threshold is not None and not 0.0 <= threshold <= 1.0:
        raise ValidationFailed(_("The confidence threshold is a number from 0 to 1."))
    if enabled and channel.kind != ChannelKind.WEB_CHAT:
        raise ValidationFailed(_("The FAQ bot answers in web chat channels only."))
    with transaction.atomic():
        row, _created = BotChannelSetting.objects.select_for_update().get_or_create(
            channel=channel, defaults={"updated_at": now}
        )
        changes: dict[str, Any] = {"enabled": bool(enabled)}
        if threshold is not None:
            changes["threshold"] = float(threshold)
        save_changes(row, changes, actor=actor, now=now, verb="bot.channel_setting.changed")
    return row


@action("bot.configure_bot")
def check_set_channel_bot(
    channel: Channel, *, actor: Any, enabled: bool, threshold: float | None = None
) -> BotChannelSetting:
    return do_set_channel_bot(channel, enabled=enabled, threshold=threshold, actor=actor, now=clock.now())


def take_first_turn(conversation: Conversation, now: datetime) -> bool:
    """A new web chat: when its channel has the bot on, the bot answers first (nobody is routed yet)."""
    if not BotChannelSetting.objects.filter(channel_id=conversation.channel_id, enabled=True).exists():
        return False
    from kefu.bot.tasks import bot_turn

    BotSession.objects.get_or_create(
        conversation=conversation,
        defaults={"lang": translation.get_language() or "zh-hans", "created_at": now, "updated_at": now},
    )
    bot_turn.on_commit(conversation.pk)
    return True


def messages_stored(stored: list[tuple[Any, str, Any]], now: datetime) -> None:
    """New public messages: the bot answers its customers' ones; an agent's reply ends its part."""
    ids = sorted({conversation.pk for conversation, _kind, _author in stored})
    # Run on every group commit of live chat: one plain statement (the ORM's query building cost more).
    active = values_where(BotSession, "conversation_id", {"conversation_id": ids, "state": [str(BotState.ANSWERING)]})
    if not active:
        return
    from kefu.bot.tasks import bot_turn

    for conversation, author_kind, author in stored:
        if conversation.pk not in active:
            continue
        if author_kind == AuthorKind.CUSTOMER:
            bot_turn.on_commit(conversation.pk)
        elif author_kind == AuthorKind.AGENT:
            session = BotSession.objects.get(conversation_id=conversation.pk)
            bot_session_machine.transition(
                session, "hand_over", actor=author, now=now, updates={"handoff_reason": HandoffReason.AGENT}
            )


def guess_note(session: BotSession, reply: BotAnswer) -> str:
    """What the agent reads about the bot's guess when it hands over (an internal note)."""
    from kefu.bot.choices import Intent

    intent = str(Intent(session.intent).label) if session.intent in Intent.values else "—"
    article = session.article.title if session.article_id and session.article else "—"
    return _(
        "FAQ bot handed over (%(reason)s). Its guess: intent %(intent)s, article %(article)s, "
        "confidence %(confidence).2f."
    ) % {
        "reason": str(HandoffReason(reply.reason).label) if reply.reason else "—",
        "intent": intent,
        "article": article,
        "confidence": session.confidence,
    }


def do_bot_turn(conversation_id: int, *, now: datetime) -> BotAnswer | None:
    """Answer the customer's unanswered messages, or hand the chat over to the queue.  Idempotent:
    messages already answered are skipped (the session row is locked)."""
    from kefu.conversations.actions import do_post_message
    from kefu.conversations.router import route
    from kefu.conversations.visitors import availability, next_opening

    with transaction.atomic():
        session = (
            BotSession.objects.select_for_update()
            .filter(conversation_id=conversation_id, state=BotState.ANSWERING)
            .first()
        )
        if session is None:
            return None
        pending = list(
            Message.objects.filter(
                conversation_id=conversation_id,
                author_kind=AuthorKind.CUSTOMER,
                is_internal=False,
                id__gt=session.answered_upto,
            ).order_by("id")
        )
        if not pending:
            return None
        conversation = Conversation.objects.select_related("channel").get(pk=conversation_id)
        setting = setting_for(conversation.channel)
        seen = availability(conversation.channel, now)
        text = "\n".join(m.text for m in pending if m.text.strip())
        with translation.override(session.lang):
            reply = answer(
                text or "人工",  # a picture alone: the bot cannot read it, a person takes over
                session.lang,
                threshold=setting.threshold if setting else DEFAULT_THRESHOLD,
                open_now=seen["open"],
                online=seen["online"],
                next_opening=None if seen["open"] else next_opening(conversation.channel, now),
            )
            do_post_message(conversation, author_kind=AuthorKind.BOT, text=reply.answer, now=now)
            session.answered_upto = pending[-1].pk
            session.turns += 1
            if not (reply.reason == HandoffReason.ASKED and session.turns > 1):
                # Asked for a person after a question: the agent wants the guess about that question.
                session.intent = reply.intent or ""
                session.article_id = reply.article_id
                session.confidence = reply.confidence
            session.updated_at = now
            session.save(update_fields=["answered_upto", "turns", "intent", "article", "confidence", "updated_at"])
            if reply.handoff:
                bot_session_machine.transition(
                    session,
                    "hand_over",
                    actor=None,
                    now=now,
                    updates={"handoff_reason": reply.reason},
                    data={"intent": reply.intent, "article": reply.article_key, "confidence": reply.confidence},
                )
                do_post_message(
                    conversation,
                    author_kind=AuthorKind.SYSTEM,
                    text=guess_note(session, reply),
                    now=now,
                    is_internal=True,
                )
                route(conversation.pk, now=now)
    return reply
