"""The conversation state machine (docs/state-machines.md renders this table)."""

from kefu.conversations.choices import ConversationStatus as S
from kefu.conversations.models import Conversation
from kefu.core.fsm import StateMachine

TRANSITIONS: dict[tuple[str, str], str] = {
    (S.OPEN, "pend"): S.PENDING,
    (S.OPEN, "snooze"): S.SNOOZED,
    (S.OPEN, "resolve"): S.RESOLVED,
    (S.PENDING, "activate"): S.OPEN,
    (S.PENDING, "snooze"): S.SNOOZED,
    (S.PENDING, "resolve"): S.RESOLVED,
    (S.SNOOZED, "wake"): S.OPEN,
    (S.SNOOZED, "resolve"): S.RESOLVED,
    (S.RESOLVED, "reopen"): S.OPEN,
    (S.RESOLVED, "close"): S.CLOSED,
}

# Events an agent may fire from the UI / API; the others are fired by the system
# (a customer's message activates or reopens; the sweeper wakes snoozed ones).
AGENT_EVENTS = ("pend", "snooze", "resolve", "reopen", "close")

conversation_machine: StateMachine[Conversation] = StateMachine(
    name="conversation",
    model=Conversation,
    transitions=TRANSITIONS,
    stamps={S.RESOLVED: "resolved_at", S.CLOSED: "closed_at"},
)
