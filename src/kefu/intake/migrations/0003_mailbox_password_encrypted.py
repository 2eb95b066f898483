"""Mailbox passwords encrypted at rest (issue 20; kefu.core.secrets): the column becomes text (a
ciphertext is longer than the password), then every plain row is encrypted.  Backwards, the
passwords are written out plain again."""

from typing import Any

from django.db import migrations

import kefu.core.secrets


def encrypt_plain(apps: Any, schema_editor: Any) -> None:
    mailbox = apps.get_model("intake", "Mailbox")
    for box in mailbox.objects.all():
        # The field reads a plain row as it is and seals whatever it writes.
        if box.password and not isinstance(box.password, kefu.core.secrets.UnreadableSecret):
            mailbox.objects.filter(pk=box.pk).update(password=box.password)


def decrypt_to_plain(apps: Any, schema_editor: Any) -> None:
    mailbox = apps.get_model("intake", "Mailbox")
    table = mailbox._meta.db_table
    connection = schema_editor.connection if schema_editor is not None else None
    if connection is None:
        from django.db import connection
    with connection.cursor() as cursor:
        for box in mailbox.objects.all():
            if isinstance(box.password, kefu.core.secrets.UnreadableSecret):
                continue  # no key opens it: leave it as it is
            cursor.execute(f"UPDATE {table} SET password = %s WHERE id = %s", [box.password, box.pk])  # noqa: S608


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0002_alter_callrecord_options"),
    ]

    operations = [
        migrations.AlterField(
            model_name="mailbox",
            name="password",
            field=kefu.core.secrets.EncryptedTextField(verbose_name="password"),
        ),
        migrations.RunPython(encrypt_plain, decrypt_to_plain),
    ]
