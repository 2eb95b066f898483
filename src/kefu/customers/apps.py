from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "kefu.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from kefu.core import audit_labels

        audit_labels.register(
            verbs={
                "customer.address_added": _("Address added"),
                "customer.created": _("Customer created"),
                "customer.identity_added": _("Contact added"),
                "customer.merged": _("Duplicate merged in"),
                "customer.merged_away": _("Merged into another customer"),
                "customer.owner": _("Owner salesperson set"),
                "customer.remark": _("Remark added"),
                "customer.tags": _("Tags changed"),
                "customer.updated": _("Profile changed"),
                "customer.usual_products": _("Usual products set"),
                "customer.vip_tier": _("VIP tier changed"),
            }
        )
