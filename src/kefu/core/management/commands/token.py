from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kefu.accounts.actions import do_create_api_token
from kefu.accounts.models import User
from kefu.core import clock


class Command(BaseCommand):
    help = _("API tokens: 'kefu token create USERNAME' prints a new bearer token.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("op", choices=["create"])
        parser.add_argument("username")
        parser.add_argument("--name", default="cli")

    def handle(self, *args: Any, op: str, username: str, name: str, **options: Any) -> None:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"no active user named {username!r}")
        _token, raw = do_create_api_token(user, name=name, now=clock.now())
        self.stdout.write(raw)
