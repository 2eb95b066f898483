"""Term statistics for BM25 (``TermStat``, ``IndexStats``) kept by the index writes, and a
per-row stamp for the in-process vector index; the statistics are counted once from the rows."""

from typing import Any

from django.db import migrations, models

# Adding a column with a default makes Django rebuild the table on SQLite, which drops the FTS5
# triggers of migration 0003: create them again and rebuild the FTS5 index from the rows.
SQLITE_TRIGGERS = [
    "DROP TRIGGER IF EXISTS knowledge_fts_ai",
    "DROP TRIGGER IF EXISTS knowledge_fts_ad",
    "DROP TRIGGER IF EXISTS knowledge_fts_au",
    "CREATE TRIGGER knowledge_fts_ai AFTER INSERT ON knowledge_articleindex BEGIN "
    "INSERT INTO knowledge_fts(rowid, tokens) VALUES (new.article_id, new.tokens); END",
    "CREATE TRIGGER knowledge_fts_ad AFTER DELETE ON knowledge_articleindex BEGIN "
    "INSERT INTO knowledge_fts(knowledge_fts, rowid, tokens) VALUES ('delete', old.article_id, old.tokens); END",
    "CREATE TRIGGER knowledge_fts_au AFTER UPDATE OF tokens ON knowledge_articleindex BEGIN "
    "INSERT INTO knowledge_fts(knowledge_fts, rowid, tokens) VALUES ('delete', old.article_id, old.tokens); "
    "INSERT INTO knowledge_fts(rowid, tokens) VALUES (new.article_id, new.tokens); END",
    "INSERT INTO knowledge_fts(knowledge_fts) VALUES ('rebuild')",
]


def triggers(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_TRIGGERS:
            schema_editor.execute(sql)


def count(apps: Any, schema_editor: Any) -> None:
    from kefu.knowledge import stats

    stats.rebuild()


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0004_canned_notes")]

    operations = [
        migrations.AddField(model_name="articleindex", name="stamp", field=models.BigIntegerField(default=0)),
        migrations.CreateModel(
            name="IndexStats",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("documents", models.IntegerField(default=0)),
                ("total_length", models.BigIntegerField(default=0)),
                ("stamp", models.CharField(default="", max_length=32)),
            ],
            options={"verbose_name": "search statistics"},
        ),
        migrations.CreateModel(
            name="TermStat",
            fields=[
                ("term", models.CharField(max_length=255, primary_key=True, serialize=False)),
                ("df", models.IntegerField(default=0)),
            ],
            options={"verbose_name": "term statistics"},
        ),
        migrations.RunPython(triggers, triggers),
        migrations.RunPython(count, migrations.RunPython.noop),
    ]
