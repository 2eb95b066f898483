"""The full-text side of ``ArticleIndex``: an FTS5 table kept in step by triggers on SQLite,
a stored ``tsvector`` column with a GIN index on PostgreSQL (see kefu.knowledge.search)."""

from typing import Any

from django.db import migrations

SQLITE = [
    "CREATE VIRTUAL TABLE knowledge_fts USING fts5("
    "tokens, content='knowledge_articleindex', content_rowid='article_id', tokenize='unicode61')",
    "CREATE TRIGGER knowledge_fts_ai AFTER INSERT ON knowledge_articleindex BEGIN "
    "INSERT INTO knowledge_fts(rowid, tokens) VALUES (new.article_id, new.tokens); END",
    "CREATE TRIGGER knowledge_fts_ad AFTER DELETE ON knowledge_articleindex BEGIN "
    "INSERT INTO knowledge_fts(knowledge_fts, rowid, tokens) VALUES ('delete', old.article_id, old.tokens); END",
    "CREATE TRIGGER knowledge_fts_au AFTER UPDATE ON knowledge_articleindex BEGIN "
    "INSERT INTO knowledge_fts(knowledge_fts, rowid, tokens) VALUES ('delete', old.article_id, old.tokens); "
    "INSERT INTO knowledge_fts(rowid, tokens) VALUES (new.article_id, new.tokens); END",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS knowledge_fts_ai",
    "DROP TRIGGER IF EXISTS knowledge_fts_ad",
    "DROP TRIGGER IF EXISTS knowledge_fts_au",
    "DROP TABLE IF EXISTS knowledge_fts",
]
POSTGRES = [
    "ALTER TABLE knowledge_articleindex ADD COLUMN tsv tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple', tokens)) STORED",
    "CREATE INDEX knowledge_articleindex_tsv ON knowledge_articleindex USING GIN (tsv)",
]
POSTGRES_DROP = [
    "DROP INDEX IF EXISTS knowledge_articleindex_tsv",
    "ALTER TABLE knowledge_articleindex DROP COLUMN IF EXISTS tsv",
]


def _run(statements: dict[str, list[str]]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0002_articles_search")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        ),
    ]
