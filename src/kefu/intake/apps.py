from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "kefu.intake"
    label = "intake"
    verbose_name = _("Intake")

    def ready(self) -> None:
        # Outbound deliverers (conversations.outbound) for the channels this app serves.
        from kefu.intake.email import outbound  # noqa: F401
        from kefu.intake.phone import timeline  # noqa: F401 - calls on the ticket timeline
        from kefu.intake.platform import actions  # noqa: F401
