from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "kefu.webhooks"
    label = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        from kefu.core.events import on_stream_events
        from kefu.webhooks.hooks import stream_events_stored

        on_stream_events(stream_events_stored)
