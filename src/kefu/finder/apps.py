from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinderConfig(AppConfig):
    name = "kefu.finder"
    label = "finder"
    verbose_name = _("Search")

    def ready(self) -> None:
        from kefu.finder import signals

        signals.connect()
