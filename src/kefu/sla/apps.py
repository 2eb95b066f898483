from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "kefu.sla"
    label = "sla"
    verbose_name = _("Service levels (SLA)")

    def ready(self) -> None:
        from kefu.sla import engine
        from kefu.sla.models import BusinessCalendar, CalendarDay, SlaPolicy, SlaTarget

        def forget(sender: Any, **kwargs: Any) -> None:
            engine.clear_cache()

        for model in (BusinessCalendar, CalendarDay, SlaPolicy, SlaTarget):
            post_save.connect(forget, sender=model, weak=False, dispatch_uid=f"sla-cache-{model.__name__}-save")
            post_delete.connect(forget, sender=model, weak=False, dispatch_uid=f"sla-cache-{model.__name__}-delete")
