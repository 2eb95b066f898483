from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def install_after_migrate(sender: Any, **kwargs: Any) -> None:
    """Default settings and phrases.  Nothing is trained here: the emotion and intent models ship as
    arrays under the package (``kefu assist_train`` rebuilds them)."""
    from kefu.assist.actions import do_seed_defaults

    do_seed_defaults(using=kwargs.get("using", "default"))


def customer_wrote(stored: list[tuple[Any, str, Any]], now: Any) -> None:
    """After a customer's message is stored, ask (after commit) for it to be analysed once, in the
    worker process: never on the path that delivers the message."""
    from kefu.assist.tasks import request_analysis
    from kefu.conversations.choices import AuthorKind
    from kefu.core.events import publish_on_commit

    if any(author_kind == AuthorKind.CUSTOMER for _conversation, author_kind, _author in stored):
        publish_on_commit(request_analysis.request)


class AssistConfig(AppConfig):
    name = "kefu.assist"
    label = "assist"
    verbose_name = _("Agent assist")

    def ready(self) -> None:
        from kefu.assist.actions import enforce_reply_standards
        from kefu.conversations.actions import REPLY_CHECKS
        from kefu.conversations.hooks import on_messages

        post_migrate.connect(install_after_migrate, sender=self, dispatch_uid="kefu.assist.install")
        on_messages(customer_wrote)
        if enforce_reply_standards not in REPLY_CHECKS:
            REPLY_CHECKS.append(enforce_reply_standards)
