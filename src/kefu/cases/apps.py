from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "kefu.cases"
    label = "cases"
    verbose_name = _("After-sales cases")

    def ready(self) -> None:
        from kefu.aftersales.hooks import on_shipment_delivered
        from kefu.cases import actions
        from kefu.sla import deadlines

        deadlines.register("cases.case", on_due=actions.on_deadline_passed)
        on_shipment_delivered(actions.on_shipment_delivered)
