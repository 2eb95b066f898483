from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "kefu.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from kefu.accounts.roles import sync_roles_after_migrate
        from kefu.accounts.selectors import user_for_token
        from kefu.core import audit_labels
        from kefu.core.api_auth import register_token_lookup

        register_token_lookup(user_for_token)
        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="kefu.accounts.sync_roles")
        audit_labels.register(
            verbs={
                "api_token.created": _("API token created"),
                "api_token.revoked": _("API token revoked"),
                "team.created": _("Team created"),
                "team.member_added": _("Member added"),
                "user.max_chats": _("Chat limit changed"),
            }
        )
