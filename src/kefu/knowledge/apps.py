from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "kefu.knowledge"
    label = "knowledge"
    verbose_name = _("Knowledge")

    def ready(self) -> None:
        from kefu.knowledge.defaults import install

        post_migrate.connect(install, sender=self, dispatch_uid="kefu.knowledge.defaults")
