from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kefu.core.secrets import reencrypt_all


class Command(BaseCommand):
    help = (
        "Encrypt every stored secret again with the first KEFU_ENCRYPTION_KEY "
        "(after putting a new key first; then the old one can be removed)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        done, unreadable = reencrypt_all()
        self.stdout.write(f"re-encrypted {done} row(s)")
        if unreadable:
            raise CommandError(
                f"{unreadable} row(s) could not be decrypted with any configured key and were left as they are"
            )
