"""Factories of the assist and bot apps (the base ones live in tests.factories)."""

from __future__ import annotations

import factory

from kefu.assist.choices import LintRule, Severity
from kefu.assist.models import ForbiddenPhrase
from kefu.bot.models import BotChannelSetting
from kefu.core import clock
from tests.factories import ChannelFactory


class ForbiddenPhraseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ForbiddenPhrase
        django_get_or_create = ("phrase",)

    phrase = factory.Sequence(lambda n: f"禁语{n}")
    rule = LintRule.FORBIDDEN_PHRASE
    severity = Severity.ERROR
    suggestion = "我来帮您处理"
    updated_at = factory.LazyFunction(clock.now)


class BotChannelSettingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BotChannelSetting
        django_get_or_create = ("channel",)

    channel = factory.SubFactory(ChannelFactory)
    enabled = True
    updated_at = factory.LazyFunction(clock.now)
