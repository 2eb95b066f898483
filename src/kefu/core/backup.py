"""``kefu backup`` and ``kefu restore`` (docs/backup.md): the database and the media directory in
one ``.tar.gz`` with a manifest.

* SQLite: a consistent copy through SQLite's online backup API (readers and writers may go on).
* PostgreSQL: ``pg_dump --format=custom`` (one consistent snapshot); restored with ``pg_restore``.
  The client tools must be at least as new as the server (checked before anything runs).
* The archive names the encryption key by its fingerprint, never the key itself: back up
  ``KEFU_ENCRYPTION_KEY`` / ``KEFU_SECRET_KEY`` (or ``var/secret_key``) separately.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections

from kefu import __version__ as kefu_version
from kefu.core import clock

FORMAT = "kefu-backup"
VERSION = 1
DB_SQLITE = "db.sqlite3"
DB_PG = "db.pgdump"


class BackupError(Exception):
    """A clear, expected failure (the command prints it and exits non-zero)."""


@dataclass(frozen=True)
class Restored:
    vendor: str
    media_files: int
    key_matches: bool | None
    manifest: dict[str, Any]


# --- helpers --------------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def key_fingerprints() -> list[str]:
    """Fingerprints of the configured encryption keys, the encrypting one first (the last is
    the one derived from the secret key): the first 16 hex digits of SHA-256 over the key."""
    from kefu.core.secrets import _fernet_key

    keys = [k for k in settings.KEFU_ENCRYPTION_KEYS if k.strip()] + [str(settings.SECRET_KEY)]
    return [hashlib.sha256(b"kefu key fingerprint\x00" + _fernet_key(k)).hexdigest()[:16] for k in keys]


def _key_reference() -> dict[str, Any]:
    explicit = [k for k in settings.KEFU_ENCRYPTION_KEYS if k.strip()]
    prints = key_fingerprints()
    return {
        "source": "KEFU_ENCRYPTION_KEY" if explicit else "KEFU_SECRET_KEY",
        "encrypting_key_fingerprint": prints[0],
        "all_key_fingerprints": prints,
        "note": "The keys are not in this archive. Restore with the same KEFU_ENCRYPTION_KEY / KEFU_SECRET_KEY.",
    }


def _vendor() -> str:
    return str(connection.vendor)  # "sqlite" or "postgresql"


def _pg_env() -> dict[str, str]:
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    env.update(
        {
            "PGHOST": str(db.get("HOST") or "localhost"),
            "PGPORT": str(db.get("PORT") or "5432"),
            "PGUSER": str(db.get("USER") or ""),
            "PGDATABASE": str(db["NAME"]),
        }
    )
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    options: dict[str, Any] = db.get("OPTIONS") or {}  # type: ignore[assignment]
    sslmode = options.get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = str(sslmode)
    return env


def _major(text: str) -> int:
    found = re.search(r"(\d+)(?:\.\d+)?", text)
    if not found:
        raise BackupError(f"cannot read a PostgreSQL version from {text!r}")
    return int(found.group(1))


def _pg_tool(name: str) -> str:
    """The client tool, refused when it is missing or older than the server."""
    tool = shutil.which(name)
    if tool is None:
        raise BackupError(
            f"{name} not found: install the PostgreSQL client tools (the server's major version or newer)"
        )
    version = subprocess.run([tool, "--version"], capture_output=True, text=True, check=True)  # noqa: S603 - fixed arguments
    client = _major(version.stdout)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        server = int(cursor.fetchone()[0]) // 10000
    if client < server:
        raise BackupError(
            f"{name} is version {client} but the server is {server}: use client tools of version {server} or newer"
        )
    return tool


def _run(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603 - pg tools, our arguments
    if done.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed (exit {done.returncode}): {done.stderr.strip()[-800:]}")


def _applied_migrations() -> dict[str, str]:
    latest: dict[str, str] = {}
    if "django_migrations" not in connection.introspection.table_names():
        return latest  # a database never migrated
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
        for app, name in cursor.fetchall():
            latest[str(app)] = str(name)
    return latest


def database_is_empty() -> bool:
    """No kefu tables yet (a fresh database, or one that was never migrated)."""
    tables = connection.introspection.table_names()
    return not any(t for t in tables if t != "django_migrations") and (
        "django_migrations" not in tables or not _applied_migrations()
    )


# --- backup ---------------------------------------------------------------------------------------


def default_archive_path(now: datetime) -> Path:
    var_dir = Path(str(settings.KEFU_TASKS["sqlite_path"])).parent
    return var_dir / "backups" / f"kefu-{now.strftime('%Y%m%d-%H%M%S')}.tar.gz"


def backup(output: Path | None = None) -> tuple[Path, dict[str, Any]]:
    """Write the archive; returns its path and manifest."""
    now = clock.now()
    output = Path(output) if output else default_archive_path(now)
    output.parent.mkdir(parents=True, exist_ok=True)
    vendor = _vendor()
    media_root = Path(str(settings.MEDIA_ROOT))
    with tempfile.TemporaryDirectory(prefix="kefu-backup-", dir=output.parent) as tmp:
        work = Path(tmp)
        if vendor == "sqlite":
            db_file = work / DB_SQLITE
            connection.ensure_connection()
            raw = connection.connection
            target = sqlite3.connect(db_file)
            try:
                raw.backup(target)  # the online backup API: a consistent snapshot
            finally:
                target.close()
        elif vendor == "postgresql":
            db_file = work / DB_PG
            _run(
                [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", "--file", str(db_file)],
                _pg_env(),
            )
        else:
            raise BackupError(f"kefu backup does not support the {vendor} database")
        media_files = media_bytes = 0
        if media_root.is_dir():
            for path in media_root.rglob("*"):
                if path.is_file():
                    media_files += 1
                    media_bytes += path.stat().st_size
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "kefu_version": kefu_version,
            "created_at": now.isoformat(),
            "database": {
                "vendor": vendor,
                "file": db_file.name,
                "sha256": _sha256(db_file),
                "bytes": db_file.stat().st_size,
                "migrations": _applied_migrations(),
            },
            "media": {"files": media_files, "bytes": media_bytes},
            "secrets": _key_reference(),
        }
        (work / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        partial = work / "archive.tar.gz"
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(work / "manifest.json", arcname="manifest.json")
            tar.add(db_file, arcname=db_file.name)
            if media_root.is_dir():
                tar.add(media_root, arcname="media")
        partial.chmod(0o600)  # it holds every customer's data
        os.replace(partial, output)
    return output, manifest


# --- restore --------------------------------------------------------------------------------------


def read_manifest(archive: Path) -> dict[str, Any]:
    if not archive.is_file():
        raise BackupError(f"{archive}: no such file")
    try:
        with tarfile.open(archive, "r:gz") as tar:
            member = tar.extractfile("manifest.json")
            if member is None:
                raise KeyError("manifest.json")
            manifest = json.loads(member.read().decode("utf-8"))
    except (tarfile.TarError, KeyError, OSError, ValueError) as exc:
        raise BackupError(f"{archive}: not a kefu backup archive ({exc})") from None
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise BackupError(f"{archive}: not a kefu backup archive of version {VERSION}")
    return dict(manifest)


def restore(archive: Path, *, force: bool = False) -> Restored:
    archive = Path(archive)
    manifest = read_manifest(archive)
    vendor = _vendor()
    stored = manifest["database"]["vendor"]
    if stored != vendor:
        raise BackupError(
            f"the archive holds a {stored} database but KEFU_DATABASE_URL names a {vendor} one: "
            "restore into the same kind of database"
        )
    media_root = Path(str(settings.MEDIA_ROOT))
    media_has_files = media_root.is_dir() and any(media_root.iterdir())
    if not force and not database_is_empty():
        raise BackupError("the database is not empty: restore into a new, empty database, or add --force to replace it")
    if not force and media_has_files:
        raise BackupError(f"the media directory {media_root} is not empty: empty it, or add --force to replace it")
    with tempfile.TemporaryDirectory(prefix="kefu-restore-") as tmp:
        work = Path(tmp)
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(work, filter="data")  # refuses absolute paths, "..", links out of the tree
        db_file = work / manifest["database"]["file"]
        if not db_file.is_file() or _sha256(db_file) != manifest["database"]["sha256"]:
            raise BackupError(f"{archive}: the database file is missing or damaged (checksum mismatch)")
        if vendor == "sqlite":
            _restore_sqlite(db_file)
        else:
            _restore_postgresql(db_file, force=force)
        files = 0
        extracted = work / "media"
        if extracted.is_dir():
            if media_root.exists() and media_has_files:
                aside = media_root.with_name(
                    f"{media_root.name}.before-restore-{clock.now().strftime('%Y%m%d-%H%M%S')}"
                )
                media_root.rename(aside)
            elif media_root.exists():
                media_root.rmdir()
            media_root.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(extracted), str(media_root))
            files = sum(1 for p in media_root.rglob("*") if p.is_file())
    wanted = manifest.get("secrets", {}).get("encrypting_key_fingerprint")
    key_matches = None if not wanted else wanted in key_fingerprints()
    return Restored(vendor=vendor, media_files=files, key_matches=key_matches, manifest=manifest)


def _restore_sqlite(db_file: Path) -> None:
    connection.ensure_connection()
    source = sqlite3.connect(db_file)
    try:
        source.backup(connection.connection)  # page by page into the live file (WAL-safe)
    finally:
        source.close()
    for conn in connections.all():
        conn.close()


def _restore_postgresql(db_file: Path, *, force: bool) -> None:
    tool = _pg_tool("pg_restore")
    if force:
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
    for conn in connections.all():
        conn.close()
    _run(
        [
            tool,
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            "--dbname",
            _pg_env()["PGDATABASE"],
            str(db_file),
        ],
        _pg_env(),
    )
