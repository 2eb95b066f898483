from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BotConfig(AppConfig):
    name = "kefu.bot"
    label = "bot"
    verbose_name = _("FAQ bot")

    def ready(self) -> None:
        from kefu.bot.actions import messages_stored, take_first_turn
        from kefu.conversations.hooks import on_messages
        from kefu.conversations.visitors import first_responder

        first_responder(take_first_turn)
        on_messages(messages_stored)
