"""Factories for the integrations added in issues 19 and 20: WeChat accounts and webhook deliveries."""

from __future__ import annotations

import factory
from django.utils.crypto import get_random_string

from kefu.conversations.choices import ChannelKind
from kefu.core import clock
from kefu.intake.wechat_mp.models import WechatAccount
from kefu.webhooks.models import Delivery
from tests.factories import ChannelFactory


class WechatAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WechatAccount

    channel = factory.SubFactory(ChannelFactory, kind=ChannelKind.SOCIAL)
    app_id = factory.Sequence(lambda n: f"wx{n:016d}")
    app_secret = factory.LazyFunction(lambda: get_random_string(32))
    token = "kefu-token"


class DeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Delivery

    event_type = "ticket.created"
    event_key = factory.Sequence(lambda n: f"ticket:{n}#1")
    payload = factory.LazyFunction(dict)
    created_at = factory.LazyFunction(clock.now)
