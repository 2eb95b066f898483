from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "kefu.tickets"
    label = "tickets"
    verbose_name = _("Tickets")

    def ready(self) -> None:
        from kefu.core import audit_labels
        from kefu.tickets import hooks  # noqa: F401 - registers the conversation listener
        from kefu.tickets.choices import TicketStatus

        audit_labels.register(
            verbs={
                "ticket.created": _("Ticket created"),
                "ticket.assigned": _("Assigned"),
                "ticket.remark": _("Remark added"),
                "ticket.updated": _("Ticket changed"),
            },
            states={"ticket": TicketStatus},
        )
