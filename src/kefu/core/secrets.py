"""Secrets at rest: a model field whose database value is encrypted (Fernet: AES-128-CBC with
HMAC-SHA256, from the maintained ``cryptography`` package), with keys from the environment.

Keys (docs/adr/0008-secrets-at-rest.md): ``KEFU_ENCRYPTION_KEY`` — one or more keys, comma-
separated, the first encrypts, all decrypt (rotation) — each a Fernet key or a passphrase of at
least 32 characters (stretched by HKDF-SHA256).  Without it, a key derived from
``KEFU_SECRET_KEY`` encrypts; that derived key always stays readable, so setting
``KEFU_ENCRYPTION_KEY`` later loses nothing.

A stored value is ``kefu-enc:`` + a Fernet token.  A value without the prefix is a plain row
from before encryption: read as is (the data migration of each app encrypts them).  A value no
key opens reads as :class:`UnreadableSecret` — empty, and saved back unchanged, so a wrong key
in the environment never destroys what is stored.
"""

from __future__ import annotations

import base64
import binascii
import functools
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import models

PREFIX = "kefu-enc:"
_INFO = b"kefu secrets at rest v1"


class UnreadableSecret(str):
    """A stored secret no configured key opens: empty as text, its ciphertext kept for saving."""

    ciphertext: str

    def __new__(cls, ciphertext: str) -> UnreadableSecret:
        made = super().__new__(cls, "")
        made.ciphertext = ciphertext
        return made


def _fernet_key(material: str) -> bytes:
    raw = material.strip().encode()
    try:
        if len(base64.urlsafe_b64decode(raw)) == 32:
            return raw  # already a Fernet key
    except (binascii.Error, ValueError):
        pass
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(raw)
    return base64.urlsafe_b64encode(derived)


@functools.lru_cache(maxsize=8)
def _keyring(explicit: tuple[str, ...], secret_key: str) -> MultiFernet:
    keys = [Fernet(_fernet_key(k)) for k in explicit if k.strip()]
    keys.append(Fernet(_fernet_key(secret_key)))
    return MultiFernet(keys)


def keyring() -> MultiFernet:
    return _keyring(tuple(settings.KEFU_ENCRYPTION_KEYS), str(settings.SECRET_KEY))


def seal(plain: str) -> str:
    return PREFIX + keyring().encrypt(plain.encode("utf-8")).decode("ascii")


def open_sealed(value: str) -> str:
    """The plain text of a stored value (plain legacy values as they are)."""
    if not value.startswith(PREFIX):
        return value
    try:
        return keyring().decrypt(value.removeprefix(PREFIX).encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError, ValueError):
        return UnreadableSecret(value)


def is_sealed(value: str) -> bool:
    return value.startswith(PREFIX)


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """Text encrypted in the database, plain on the model.  Not for lookups (every encryption
    differs); forms must not render it back (see each admin's form)."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None:
            return value
        return open_sealed(str(value))

    def get_prep_value(self, value: Any) -> Any:
        if isinstance(value, UnreadableSecret):
            return value.ciphertext
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return seal(str(value))


def reencrypt_all() -> tuple[int, int]:
    """Seal every stored secret again with the first key (after a rotation, or to encrypt rows
    written plain).  Returns ``(rows re-encrypted, rows no key opens)``; the latter are left as
    they are."""
    from django.apps import apps

    done = unreadable = 0
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if not names:
            continue
        for row in model._default_manager.only("pk", *names).iterator():
            values = {name: getattr(row, name) for name in names}
            if any(isinstance(v, UnreadableSecret) for v in values.values()):
                unreadable += 1
                continue
            model._default_manager.filter(pk=row.pk).update(**values)
            done += 1
    return done, unreadable
