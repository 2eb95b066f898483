"""factory_boy factories: tests never call ``objects.create`` themselves."""

from __future__ import annotations

import factory
from django.contrib.auth.models import Group

from kefu.accounts.choices import Role
from kefu.accounts.models import Team, User
from kefu.conversations.choices import ChannelKind
from kefu.conversations.models import Channel, Conversation, Message
from kefu.core import clock
from kefu.customers.models import Customer, CustomerIdentity
from kefu.shops.models import Product, Shop
from kefu.tickets.models import Ticket


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"客服{n}")
    password = factory.django.Password("pw-for-tests")
    is_active = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        role = kwargs.pop("role", Role.RECEPTION)
        kwargs.setdefault("is_staff", role in (Role.SUPERVISOR, Role.ADMIN))
        kwargs.setdefault("is_superuser", role == Role.ADMIN)
        user = super()._create(model_class, *args, **kwargs)
        user.groups.add(Group.objects.get(name=role))
        user.save()
        return user


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"团队{n}")
    created_at = factory.LazyFunction(clock.now)


class ShopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shop
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"shop{n}")
    name = factory.Sequence(lambda n: f"店铺{n}")
    created_at = factory.LazyFunction(clock.now)


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    shop = factory.SubFactory(ShopFactory)
    sku = factory.Sequence(lambda n: f"SKU-{n}")
    name = factory.Sequence(lambda n: f"光模块{n}")


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"张{n}")
    created_at = factory.LazyFunction(clock.now)
    updated_at = factory.LazyFunction(clock.now)


class IdentityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomerIdentity

    customer = factory.SubFactory(CustomerFactory)
    kind = "phone"
    value = factory.Sequence(lambda n: f"1380000{n:04d}")
    created_at = factory.LazyFunction(clock.now)


class ChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Channel
        django_get_or_create = ("key",)

    name = "网站在线客服"
    kind = ChannelKind.WEB_CHAT
    key = factory.Sequence(lambda n: f"web{n}")


class ConversationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Conversation

    channel = factory.SubFactory(ChannelFactory)
    customer = factory.SubFactory(CustomerFactory)
    subject = "咨询"
    created_at = factory.LazyFunction(clock.now)
    updated_at = factory.LazyFunction(clock.now)
    last_message_at = factory.LazyFunction(clock.now)


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    conversation = factory.SubFactory(ConversationFactory)
    author_kind = "customer"
    text = "你好"
    created_at = factory.LazyFunction(clock.now)


class TicketFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ticket

    subject = "光模块无法识别"
    customer = factory.SubFactory(CustomerFactory)
    created_at = factory.LazyFunction(clock.now)
    updated_at = factory.LazyFunction(clock.now)


class SlaPolicyFactory(factory.django.DjangoModelFactory):
    """An SLA policy ahead of the shipped ones (position 1) on the ``24x7`` calendar."""

    class Meta:
        model = "sla.SlaPolicy"

    name = factory.Sequence(lambda n: f"策略{n}")
    position = 1
    calendar = factory.LazyFunction(lambda: _calendar("24x7"))
    updated_at = factory.LazyFunction(clock.now)


class SlaTargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "sla.SlaTarget"

    policy = factory.SubFactory(SlaPolicyFactory)
    metric = "first_response"
    seconds = 3600


class CalendarDayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "sla.CalendarDay"

    calendar = factory.LazyFunction(lambda: _calendar("workdays"))


def _calendar(name: str):
    from kefu.sla.models import BusinessCalendar

    return BusinessCalendar.objects.get(name=name)


# --- intake (email, phone, platform) ---


class OutboundMailFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "intake.MailMessage"

    direction = "out"
    msgid = factory.Sequence(lambda n: f"out{n}@kefu.example")
    subject = "Re: 咨询"
    to = factory.LazyFunction(lambda: [["", "customer@example.cn"]])
    text = "您好"
    delivery_status = "queued"
    created_at = factory.LazyFunction(clock.now)


class MailboxFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "intake.Mailbox"

    name = "support"
    channel = factory.SubFactory(ChannelFactory, kind=ChannelKind.EMAIL, key="mail", name="邮件")
    host = "127.0.0.1"
    port = 993
    use_ssl = False
    username = "agent"
    password = "secret"


class TriggerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "automation.Trigger"

    name = factory.Sequence(lambda n: f"触发器{n}")
    event = "ticket.created"
    conditions = factory.LazyFunction(list)
    actions = factory.LazyFunction(lambda: [{"type": "add_tag", "value": "auto"}])
    updated_at = factory.LazyFunction(clock.now)


class TimeTriggerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "automation.TimeTrigger"

    name = factory.Sequence(lambda n: f"定时触发器{n}")
    status = "pending"
    hours = 48
    actions = factory.LazyFunction(lambda: [{"type": "notify", "value": "assignee"}])
    updated_at = factory.LazyFunction(clock.now)


class MacroFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "automation.Macro"

    name = factory.Sequence(lambda n: f"宏{n}")
    actions = factory.LazyFunction(lambda: [{"type": "set_priority", "value": "high"}])
    updated_at = factory.LazyFunction(clock.now)


class CannedReplyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "knowledge.CannedReply"

    key = factory.Sequence(lambda n: f"reply-{n}")
    category = "welcome"
    title = "问候"
    text = "您好，我们已收到您的问题，正在处理。"


class CallRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "intake.CallRecord"

    direction = "in"
    number = factory.Sequence(lambda n: f"1390000{n:04d}")
    outcome = "missed"
    started_at = factory.LazyFunction(clock.now)
    created_at = factory.LazyFunction(clock.now)
    updated_at = factory.LazyFunction(clock.now)


class CallbackTaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "intake.CallbackTask"

    call = factory.SubFactory(CallRecordFactory)
    due_at = factory.LazyFunction(clock.now)
    created_at = factory.LazyFunction(clock.now)


class TicketFieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "tickets.TicketField"

    ticket_type = "repair"
    key = factory.Sequence(lambda n: f"field{n}")
    label = "序列号"


def ensure_sla_defaults() -> None:
    """Re-create the shipped SLA calendars and policies and the shipped time triggers (data
    migrations) after a transactional test flushed them; idempotent."""
    import importlib

    from django.apps import apps

    for module in (
        "kefu.sla.migrations.0002_default_calendars_and_policies",
        "kefu.automation.migrations.0002_default_time_triggers",
    ):
        importlib.import_module(module).forwards(apps, None)
