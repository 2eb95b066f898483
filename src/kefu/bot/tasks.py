"""Background work of the FAQ bot."""

from __future__ import annotations

from kefu.core import clock
from kefu.core.tasks import task


@task("bot.turn", retries=1, retry_delay=2)
def bot_turn(conversation_id: int) -> bool:
    """The bot answers (or hands over) the conversation's new customer messages."""
    from kefu.bot.actions import do_bot_turn

    return do_bot_turn(conversation_id, now=clock.now()) is not None
