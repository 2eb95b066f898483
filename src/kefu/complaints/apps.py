from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "kefu.complaints"
    label = "complaints"
    verbose_name = _("Complaints")

    def ready(self) -> None:
        from kefu.complaints.actions import on_due
        from kefu.sla import deadlines

        deadlines.register("complaints.complaint", on_due=on_due)
