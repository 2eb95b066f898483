# ruff: noqa: S608 - table and trigger names are constants of this migration, never input
"""The search index tables and their full-text side: FTS5 tables kept in step by triggers on
SQLite, stored ``tsvector`` columns with GIN indexes on PostgreSQL (see kefu.finder.query)."""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models


def _fts(table: str, fts: str, rowid: str) -> list[str]:
    # Names are constants of this migration, never input.
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5(tokens, content='{table}', content_rowid='{rowid}', "
        "tokenize='unicode61')",
        f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {fts}(rowid, tokens) VALUES (new.{rowid}, new.tokens); END",
        f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, tokens) VALUES ('delete', old.{rowid}, old.tokens); END",
        f"CREATE TRIGGER {fts}_au AFTER UPDATE ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, tokens) VALUES ('delete', old.{rowid}, old.tokens); "
        f"INSERT INTO {fts}(rowid, tokens) VALUES (new.{rowid}, new.tokens); END",
    ]


def _fts_drop(fts: str) -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {fts}_{t}" for t in ("ai", "ad", "au")] + [f"DROP TABLE IF EXISTS {fts}"]


def _tsv(table: str) -> list[str]:
    return [
        f"ALTER TABLE {table} ADD COLUMN tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', tokens)) STORED",
        f"CREATE INDEX {table}_tsv ON {table} USING GIN (tsv)",
    ]


def _tsv_drop(table: str) -> list[str]:
    return [f"DROP INDEX IF EXISTS {table}_tsv", f"ALTER TABLE {table} DROP COLUMN IF EXISTS tsv"]


FORWARD = {
    "sqlite": _fts("finder_messagedoc", "finder_message_fts", "message_id")
    + _fts("finder_recorddoc", "finder_record_fts", "id"),
    "postgresql": _tsv("finder_messagedoc") + _tsv("finder_recorddoc"),
}
BACKWARD = {
    "sqlite": _fts_drop("finder_message_fts") + _fts_drop("finder_record_fts"),
    "postgresql": _tsv_drop("finder_messagedoc") + _tsv_drop("finder_recorddoc"),
}


def _run(statements: dict[str, list[str]]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    initial = True

    dependencies = [("conversations", "0001_initial")]

    operations = [
        migrations.CreateModel(
            name="MessageDoc",
            fields=[
                (
                    "message",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="conversations.message",
                    ),
                ),
                ("tokens", models.TextField()),
            ],
            options={"verbose_name": "message search row", "verbose_name_plural": "message search rows"},
        ),
        migrations.CreateModel(
            name="RecordDoc",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(max_length=12)),
                ("object_id", models.BigIntegerField()),
                ("title", models.CharField(max_length=200)),
                ("text", models.TextField()),
                ("tokens", models.TextField()),
                ("at", models.DateTimeField(null=True)),
            ],
            options={
                "verbose_name": "record search row",
                "verbose_name_plural": "record search rows",
                "constraints": [models.UniqueConstraint(fields=("kind", "object_id"), name="finder_record_unique")],
            },
        ),
        migrations.RunPython(_run(FORWARD), _run(BACKWARD)),
    ]
