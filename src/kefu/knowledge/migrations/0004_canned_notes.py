"""Move the seed authors' notes （给链接） (表情) … out of installed canned replies into ``note``."""

from typing import Any

from django.db import migrations


def split_notes(apps: Any, schema_editor: Any) -> None:
    from kefu.knowledge.canned import split_note

    reply = apps.get_model("knowledge", "CannedReply")
    for row in reply.objects.filter(source__in=["000", "002", "003"], note=""):
        text, note = split_note(row.text)
        if note:
            row.text, row.note = text, note
            row.save(update_fields=["text", "note"])


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0003_search_index")]

    operations = [migrations.RunPython(split_notes, migrations.RunPython.noop)]
