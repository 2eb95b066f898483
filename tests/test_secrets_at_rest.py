"""Secrets at rest (issue 20): mailbox passwords are stored encrypted with a key from the
environment (KEFU_ENCRYPTION_KEY, else derived from KEFU_SECRET_KEY); old keys still read; a
wrong key never destroys the stored value; the admin never shows the secret back; existing plain
rows are encrypted by a data migration."""

from __future__ import annotations

import importlib

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.db import connection

from kefu.core import secrets
from kefu.intake.admin import MailboxForm
from kefu.intake.email.imap import poll
from kefu.intake.models import Mailbox
from tests.factories import MailboxFactory

pytestmark = pytest.mark.django_db


def stored(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT password FROM intake_mailbox WHERE id = %s", [pk])
        return str(cursor.fetchone()[0])


def test_the_row_holds_ciphertext_and_the_model_the_password():
    box = MailboxFactory(password="imap-密码-123")
    raw = stored(box.pk)
    assert raw.startswith("kefu-enc:")
    assert "imap" not in raw
    assert "123" not in raw
    assert Mailbox.objects.get(pk=box.pk).password == "imap-密码-123"
    # two rows with the same password do not look alike
    other = MailboxFactory(name="b", password="imap-密码-123")
    assert stored(other.pk) != raw


def test_an_explicit_key_encrypts_and_old_keys_still_read(settings):
    settings.KEFU_ENCRYPTION_KEYS = ()
    old = MailboxFactory(password="from-secret-key")  # derived from KEFU_SECRET_KEY
    new_key = Fernet.generate_key().decode()
    settings.KEFU_ENCRYPTION_KEYS = (new_key,)
    assert Mailbox.objects.get(pk=old.pk).password == "from-secret-key"
    fresh = MailboxFactory(name="n", password="with-new-key")
    assert Fernet(new_key.encode()).decrypt(stored(fresh.pk).removeprefix("kefu-enc:").encode()) == b"with-new-key"
    # a passphrase (not a Fernet key) of 32+ characters is accepted too, rotation keeps both readable
    settings.KEFU_ENCRYPTION_KEYS = ("a passphrase of at least thirty-two characters", new_key)
    assert Mailbox.objects.get(pk=fresh.pk).password == "with-new-key"
    assert Mailbox.objects.get(pk=old.pk).password == "from-secret-key"


def test_a_wrong_key_keeps_the_stored_value_and_the_poller_says_why(settings):
    box = MailboxFactory(password="pw")
    before = stored(box.pk)
    settings.KEFU_ENCRYPTION_KEYS = (Fernet.generate_key().decode(),)
    settings.SECRET_KEY = "another-secret-key-of-more-than-32-characters"
    loaded = Mailbox.objects.get(pk=box.pk)
    assert isinstance(loaded.password, secrets.UnreadableSecret)
    loaded.save()  # saving (the admin, the poller's bookkeeping) must not destroy it
    assert stored(box.pk) == before
    result = poll(loaded)
    assert "KEFU_ENCRYPTION_KEY" in result.error
    assert Mailbox.objects.get(pk=box.pk).last_error == result.error


def test_the_admin_form_never_shows_the_secret_and_blank_keeps_it():
    box = MailboxFactory(password="do-not-show")
    form = MailboxForm(instance=box)
    assert "do-not-show" not in str(form)
    data = {
        "name": box.name,
        "channel": box.channel_id,
        "host": box.host,
        "port": box.port,
        "username": box.username,
        "password": "",
        "folder": "INBOX",
        "is_active": "on",
    }
    edited = MailboxForm(data, instance=box)
    assert edited.is_valid(), edited.errors
    edited.save()
    assert Mailbox.objects.get(pk=box.pk).password == "do-not-show"


def test_the_migration_encrypts_existing_plain_rows():
    box = MailboxFactory(password="x")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE intake_mailbox SET password = %s WHERE id = %s", ["plain-old-pw", box.pk])
    assert stored(box.pk) == "plain-old-pw"
    assert Mailbox.objects.get(pk=box.pk).password == "plain-old-pw"  # read as is until migrated
    migration = importlib.import_module("kefu.intake.migrations.0003_mailbox_password_encrypted")
    migration.encrypt_plain(apps, None)
    assert stored(box.pk).startswith("kefu-enc:")
    assert Mailbox.objects.get(pk=box.pk).password == "plain-old-pw"
    migration.decrypt_to_plain(apps, None)  # the way back
    assert stored(box.pk) == "plain-old-pw"


def test_reencrypt_moves_every_row_to_the_first_key(settings):
    from io import StringIO

    from django.core.management import CommandError, call_command

    settings.KEFU_ENCRYPTION_KEYS = ()
    box = MailboxFactory(password="rotate-me")
    new_key = Fernet.generate_key().decode()
    settings.KEFU_ENCRYPTION_KEYS = (new_key,)
    out = StringIO()
    call_command("reencrypt", stdout=out)
    assert "re-encrypted 1 row" in out.getvalue()
    assert Fernet(new_key.encode()).decrypt(stored(box.pk).removeprefix("kefu-enc:").encode()) == b"rotate-me"
    # a row no key opens is reported, never overwritten
    settings.KEFU_ENCRYPTION_KEYS = (Fernet.generate_key().decode(),)
    before = stored(box.pk)
    with pytest.raises(CommandError, match="could not be decrypted"):
        call_command("reencrypt", stdout=StringIO())
    assert stored(box.pk) == before
