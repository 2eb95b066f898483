from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AftersalesConfig(AppConfig):
    name = "kefu.aftersales"
    label = "aftersales"
    verbose_name = _("Orders and logistics")

    def ready(self) -> None:
        from kefu.aftersales import actions
        from kefu.sla import deadlines

        deadlines.register("aftersales.serviceorder", on_due=actions.on_service_due)
        post_migrate.connect(default_content, sender=self, dispatch_uid="aftersales-defaults")


def default_content(sender: Any, **kwargs: Any) -> None:
    """A fresh install gets the default shipping rates and the settings row (idempotent)."""
    from kefu.aftersales.actions import load_default_rates
    from kefu.aftersales.models import AftersalesSettings
    from kefu.core import clock

    load_default_rates(now=clock.now())
    AftersalesSettings.load()
