"""Factories of quality tests: the stored analysis of a customer message, as the analysis process
(kefu.assist) stores it after commit."""

from __future__ import annotations

from typing import Any

import factory

from kefu.assist.models import MessageEmotion
from kefu.core import clock


class MessageEmotionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MessageEmotion

    message: Any = None
    conversation = factory.LazyAttribute(lambda o: o.message.conversation)
    emotion = "calm"
    score = 0.1
    created_at = factory.LazyFunction(clock.now)


def analyse_stored(conversation: Any, moods: dict[str, tuple[str, float]] | None = None) -> None:
    """Store an analysis row for each public customer message of ``conversation`` that has none:
    ``moods`` maps a message text to (emotion, score); other messages are stored calm."""
    moods = moods or {}
    for message in conversation.messages.filter(author_kind="customer", is_internal=False, emotion__isnull=True):
        emotion, score = moods.get(message.text, ("calm", 0.1))
        MessageEmotionFactory(message=message, emotion=emotion, score=score)
