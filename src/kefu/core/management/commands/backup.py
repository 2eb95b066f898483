from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kefu.core.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Write the database (SQLite online backup or pg_dump) and the media directory into one .tar.gz "
        "with a manifest (default: $KEFU_VAR_DIR/backups/kefu-YYYYMMDD-HHMMSS.tar.gz). "
        "The encryption key is NOT included: back it up separately."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--output", "-o", help="where to write the archive")

    def handle(self, *args: Any, output: str | None = None, **options: Any) -> None:
        try:
            path, manifest = backup(Path(output) if output else None)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        db = manifest["database"]
        self.stdout.write(
            f"wrote {path} ({db['vendor']} database {db['bytes']} bytes, "
            f"{manifest['media']['files']} media files; key fingerprint "
            f"{manifest['secrets']['encrypting_key_fingerprint']}, the key itself is not in the archive)"
        )
