from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from kefu import demo


class Command(BaseCommand):
    help = _("Load the demo company, staff, customers, conversations and tickets (idempotent).")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--if-empty", action="store_true", help="only when the database has no demo data yet")
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args: Any, if_empty: bool, quiet: bool, **options: Any) -> None:
        loaded = demo.load()
        if loaded:
            self.stdout.write(self.style.SUCCESS("kefu: demo data loaded."))
        elif not if_empty:
            self.stdout.write("kefu: demo data is already there; nothing changed.")
        if quiet:
            return
        rows = demo.logins()
        if rows:
            self.stdout.write("Demo logins (username / password / role):")
            for username, password, role in rows:
                self.stdout.write(f"  {username:<11} {password:<10} {role}")
