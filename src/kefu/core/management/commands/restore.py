from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kefu.core.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a `kefu backup` archive into the configured database and media directory. "
        "Refuses a database or media directory that is not empty unless --force "
        "(which replaces the database and keeps the old media directory beside the new one)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("archive")
        parser.add_argument("--force", action="store_true", help="replace a database that is not empty")

    def handle(self, *args: Any, archive: str, force: bool = False, **options: Any) -> None:
        try:
            done = restore(Path(archive), force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        created = done.manifest.get("created_at", "?")
        self.stdout.write(
            f"restored the {done.vendor} database of {created} and {done.media_files} media files from {archive}"
        )
        if done.key_matches is False:
            self.stderr.write(
                "warning: the archive's secrets were encrypted with a key that is not configured here "
                f"(fingerprint {done.manifest['secrets']['encrypting_key_fingerprint']}); stored passwords and "
                "webhook secrets cannot be read until that KEFU_ENCRYPTION_KEY / KEFU_SECRET_KEY is set"
            )
        self.stdout.write("next: run `kefu migrate` if this kefu is newer than the backup")
