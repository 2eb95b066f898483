"""Background work of the assist app: analysing customer messages after they are stored."""

from __future__ import annotations

from kefu.core import clock
from kefu.core.tasks import task


@task("assist.analyze_conversation", retries=1, retry_delay=5)
def analyze_conversation(conversation_id: int) -> int:
    """Emotion of the conversation's new customer messages; raises its priority when needed."""
    from kefu.assist.actions import analyze_new_customer_messages

    return len(analyze_new_customer_messages(conversation_id, now=clock.now()))
