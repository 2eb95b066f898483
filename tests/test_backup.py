"""`kefu backup` / `kefu restore` round trips through real processes (docs/backup.md): a SQLite
installation and a PostgreSQL one (its own databases test_h7_src / test_h7_dst, created and dropped
here), each migrated, seeded, backed up, restored into an empty installation and compared."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import tarfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from kefu.core.procs import KEFU

SEED = """
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from kefu.core import clock
from kefu.customers.actions import do_create_customer
from kefu.tickets.actions import do_create_ticket
from kefu.webhooks.models import Endpoint
now = clock.now()
c = do_create_customer(now=now, name="陈静", identities=[("phone", "13800000001")])
do_create_ticket(c, subject="净水器漏水，需要上门", now=now)
Endpoint.objects.create(name="ERP", url="https://erp.example.com/h", secret="whsec_roundtrip_secret_1234",
                        event_types=["ticket.created"], created_at=now)
default_storage.save("attachments/2026/12/说明.txt", ContentFile("保修卡照片".encode()))
"""

CHECK = """
import json
from django.core.files.storage import default_storage
from kefu.customers.models import Customer
from kefu.tickets.models import Ticket
from kefu.webhooks.models import Endpoint
from kefu.core.models import StreamEvent
print(json.dumps({
    "customers": sorted(Customer.objects.values_list("name", flat=True)),
    "tickets": sorted(Ticket.objects.values_list("subject", flat=True)),
    "events": StreamEvent.objects.count(),
    "secret": Endpoint.objects.get().secret,
    "media": default_storage.open("attachments/2026/12/说明.txt").read().decode(),
}, ensure_ascii=False))
"""


def _env(var: Path, database_url: str = "", key: str = "") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEFU_")}
    env.update(
        KEFU_VAR_DIR=str(var),
        KEFU_LOG_FORMAT="text",
        KEFU_LOG_LEVEL="WARNING",
        KEFU_SECRET_KEY="backup-test-secret-key-" + "x" * 20,
        KEFU_ENCRYPTION_KEY=key or "backup-test-encryption-passphrase-0123456789",
        KEFU_MODEL_DIR=os.environ["KEFU_MODEL_DIR"],
        DJANGO_SETTINGS_MODULE="kefu.config.settings",
    )
    if database_url:
        env["KEFU_DATABASE_URL"] = database_url
    return env


def kefu(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([KEFU, *args], env=env, capture_output=True, text=True, timeout=300, check=False)


def ok(env: dict[str, str], *args: str) -> str:
    done = kefu(env, *args)
    assert done.returncode == 0, f"kefu {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _checked(env: dict[str, str]) -> dict[str, object]:
    return dict(json.loads(ok(env, "shell", "-v0", "-c", CHECK).strip().splitlines()[-1]))


def _round_trip(tmp_path: Path, src_url: str = "", dst_url: str = "") -> None:
    src = _env(tmp_path / "src", src_url)
    dst = _env(tmp_path / "dst", dst_url)
    # Given a migrated, seeded installation,
    ok(src, "migrate", "-v0")
    ok(src, "shell", "-c", SEED)
    before = _checked(src)
    assert before["customers"] == ["陈静"]
    assert before["events"] >= 1
    # when it is backed up,
    archive = tmp_path / "out" / "kefu.tar.gz"
    said = ok(src, "backup", "--output", str(archive))
    assert "the key itself is not in the archive" in said
    assert oct(archive.stat().st_mode & 0o777) == "0o600"
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert "manifest.json" in names
    assert "media/attachments/2026/12/说明.txt" in names
    assert manifest["media"]["files"] == 1
    webhook_migrations = Path(__file__).resolve().parent.parent / "src" / "kefu" / "webhooks" / "migrations"
    latest = max(p.stem for p in webhook_migrations.glob("0*.py"))
    assert manifest["database"]["migrations"]["webhooks"] == latest
    # the encryption key is referenced by fingerprint only, and the archive never holds it or the secret.
    raw = archive.read_bytes()
    assert src["KEFU_ENCRYPTION_KEY"] not in json.dumps(manifest)
    assert len(manifest["secrets"]["encrypting_key_fingerprint"]) == 16
    with tarfile.open(archive) as tar:
        db_member = manifest["database"]["file"]
        db_bytes = tar.extractfile(db_member).read()
    assert b"whsec_roundtrip_secret_1234" not in db_bytes
    assert b"whsec_roundtrip_secret_1234" not in raw
    # and restored into an empty installation with the same keys,
    said = ok(dst, "restore", str(archive))
    assert "restored" in said
    # then it holds the same records, the secret decrypts and the attachment is there.
    after = _checked(dst)
    assert after == before
    assert after["secret"] == "whsec_roundtrip_secret_1234"
    # A second restore refuses the now non-empty database, clearly and without touching it,
    again = kefu(dst, "restore", str(archive))
    assert again.returncode != 0
    assert "not empty" in again.stderr
    assert "--force" in again.stderr
    # with --force it replaces it (the old media directory is kept beside the new one),
    ok(dst, "shell", "-c", "from kefu.customers.models import Customer; Customer.objects.update(name='改过')")
    ok(dst, "restore", "--force", str(archive))
    assert _checked(dst) == before
    assert list((tmp_path / "dst").glob("media.before-restore-*"))
    # and an installation with another key is told that its secrets cannot be read.
    other = _env(tmp_path / "other", dst_url, key="another-encryption-passphrase-0123456789abc")
    warned = kefu(other, "restore", "--force", str(archive))
    assert warned.returncode == 0, warned.stderr
    assert "not configured here" in warned.stderr


def test_sqlite_round_trip(tmp_path):
    _round_trip(tmp_path)


def test_restore_refuses_what_is_not_a_backup(tmp_path):
    env = _env(tmp_path / "x")
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not a tarball")
    done = kefu(env, "restore", str(junk))
    assert done.returncode != 0
    assert "not a kefu backup archive" in done.stderr
    missing = kefu(env, "restore", str(tmp_path / "nope.tar.gz"))
    assert missing.returncode != 0
    assert "no such file" in missing.stderr


def _psql(sql: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "root", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-Atc", sql],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


@contextlib.contextmanager
def _pg_databases(*names: str) -> Iterator[str]:
    if _psql("SELECT 1").returncode != 0:
        pytest.skip("no PostgreSQL at 127.0.0.1:5432")
    try:
        for name in names:
            assert _psql(f"CREATE DATABASE {name}").returncode == 0
        yield "postgresql://root@127.0.0.1:5432/"
    finally:
        for name in names:
            _psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_postgresql_round_trip(tmp_path):
    suffix = uuid.uuid4().hex[:6]
    src, dst = f"test_h7_src_{suffix}", f"test_h7_dst_{suffix}"
    with _pg_databases(src, dst) as base:
        _round_trip(tmp_path, base + src, base + dst)


def test_restore_refuses_the_other_database_kind(tmp_path):
    # Given a backup of a SQLite installation and an empty PostgreSQL database,
    name = f"test_h7_other_{uuid.uuid4().hex[:6]}"
    with _pg_databases(name) as base:
        sqlite_env = _env(tmp_path / "lite")
        ok(sqlite_env, "backup", "--output", str(tmp_path / "lite.tar.gz"))
        # when it is restored there, then kefu refuses and says why.
        wrong = kefu(_env(tmp_path / "pg", base + name), "restore", str(tmp_path / "lite.tar.gz"))
        assert wrong.returncode != 0
        assert "holds a sqlite database" in wrong.stderr
