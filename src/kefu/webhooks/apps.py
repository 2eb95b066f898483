from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "kefu.webhooks"
    label = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        from kefu.core import audit_labels
        from kefu.core.events import on_stream_events
        from kefu.webhooks.hooks import stream_events_stored

        on_stream_events(stream_events_stored)
        audit_labels.register(
            verbs={
                "webhook.created": _("Webhook endpoint created"),
                "webhook.updated": _("Webhook endpoint changed"),
                "webhook.deleted": _("Webhook endpoint deleted"),
                "webhook.replayed": _("Webhook delivery replayed"),
            }
        )
