from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConversationsConfig(AppConfig):
    name = "kefu.conversations"
    label = "conversations"
    verbose_name = _("Conversations")

    def ready(self) -> None:
        from kefu.conversations import collab  # noqa: F401  (registers the collaboration actions)
        from kefu.conversations.choices import ConversationStatus
        from kefu.core import audit_labels

        audit_labels.register(
            verbs={
                "conversation.created": _("Conversation started"),
                "conversation.assigned": _("Assigned"),
                "conversation.classified": _("Classified"),
                "conversation.invited": _("Colleague invited"),
            },
            states={"conversation": ConversationStatus},
        )
