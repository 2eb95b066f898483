"""Shared fixtures.  Tests run against the database named by KEFU_DATABASE_URL (SQLite by
default, PostgreSQL in CI) and run jobs immediately, in memory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kefu.core.tasks import HUEY

# Servers the tests start (each with its own KEFU_VAR_DIR) share one model scratch directory (only
# `kefu assist_train` writes there; the models themselves ship in the package).
os.environ.setdefault("KEFU_MODEL_DIR", str(Path(__file__).resolve().parent.parent / "var" / "models"))


@pytest.fixture(autouse=True, scope="session")
def _immediate_jobs() -> None:
    HUEY.immediate = True


@pytest.fixture(autouse=True)
def _english_messages_outside_requests():
    # Actions raise translated messages; tests match the English source text.  Requests
    # still pick their language by cookie / default (zh-hans), as in production.
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    # Password hashing is deliberately slow; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def roles(db):
    """One user per role, keyed by role value."""
    from kefu.accounts.choices import Role
    from tests.factories import UserFactory

    return {role.value: UserFactory(role=role.value, username=f"u_{role.value}") for role in Role}


def redis_url() -> str:
    return os.environ.get("KEFU_REDIS_URL", "")


@pytest.fixture(autouse=True)
def _fresh_sla_cache():
    # SLA policies and calendars are cached per process; a test's rolled-back rows must not
    # leak into the next test.
    from kefu.sla.engine import clear_cache

    clear_cache()
    yield
    clear_cache()


def pytest_sessionstart(session: pytest.Session) -> None:
    """In CI (``KEFU_REQUIRE_BROWSER=1``, set by ``.ci/run``) the browser and IMAP tests may not be
    skipped for want of their programs: a failed install fails the run here."""
    if os.environ.get("KEFU_REQUIRE_BROWSER") != "1":
        return
    missing = [p for p in ("/usr/bin/chromium", "/usr/sbin/dovecot") if not Path(p).exists()]
    if missing:
        raise pytest.UsageError(
            f"KEFU_REQUIRE_BROWSER=1 but {', '.join(missing)} is missing: install Debian's chromium, "
            "fonts-noto-cjk and dovecot-imapd (the browser and IMAP tests must not be skipped in CI)"
        )
