"""Factories of complaints and quality tests (the base ones come from tests.factories)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import factory

from kefu.core import clock
from tests.factories import ChannelFactory, ConversationFactory, CustomerFactory, MessageFactory, UserFactory


class ComplaintFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "complaints.Complaint"

    customer = factory.SubFactory(CustomerFactory)
    channel = "phone"
    summary = "收到的光模块无法识别，客服态度很差"
    wants = "换货并道歉"
    received_by = factory.SubFactory(UserFactory)
    received_at = factory.LazyFunction(clock.now)
    created_at = factory.LazyFunction(clock.now)
    updated_at = factory.LazyFunction(clock.now)


def transcript(
    lines: list[tuple[str, int, str]],
    *,
    kind: str = "web_chat",
    agent: Any = None,
    start: datetime | None = None,
    status: str = "closed",
) -> Any:
    """A stored conversation from ``(author, seconds from start, text)`` lines."""
    start = start or clock.now() - timedelta(hours=1)
    conversation = ConversationFactory(
        channel=ChannelFactory(kind=kind, key=f"{kind}-q"),
        assignee=agent,
        status=status,
        created_at=start,
        closed_at=start + timedelta(hours=1) if status == "closed" else None,
    )
    for author, seconds, text in lines:
        MessageFactory(
            conversation=conversation,
            author_kind=author,
            author=agent if author == "agent" else None,
            text=text,
            created_at=start + timedelta(seconds=seconds),
        )
    return conversation
