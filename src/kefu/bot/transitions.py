"""The FAQ bot session's state machine (docs/state-machines.md renders this table)."""

from kefu.bot.choices import BotState as S
from kefu.bot.models import BotSession
from kefu.core.fsm import StateMachine

TRANSITIONS: dict[tuple[str, str], str] = {
    (S.ANSWERING, "hand_over"): S.HANDED_OVER,
}

bot_session_machine: StateMachine[BotSession] = StateMachine(
    name="bot_session",
    model=BotSession,
    transitions=TRANSITIONS,
    state_field="state",
    stamps={S.HANDED_OVER: "handed_over_at"},
)
