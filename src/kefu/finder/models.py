"""The search index of the one search box: folded, segmented tokens of messages and records.

SQLite mirrors ``tokens`` into the FTS5 tables ``finder_message_fts`` / ``finder_record_fts``
by triggers; PostgreSQL indexes a stored ``to_tsvector('simple', tokens)`` with GIN (migration
0001). The rows hold no permission data: what a caller may see is decided at search time by the
permission of each kind (kefu.finder.query)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class MessageDoc(models.Model):
    """One message's tokens (written in the transaction that stores the message)."""

    # No database constraint: the row is written in the same batch as its message, and the
    # check would cost a lookup per message on the chat's write path. Deleting a message
    # deletes its row (Django's cascade).
    message = models.OneToOneField(
        "conversations.Message", primary_key=True, on_delete=models.CASCADE, db_constraint=False, related_name="+"
    )
    tokens = models.TextField()

    class Meta:
        verbose_name = _("message search row")
        verbose_name_plural = _("message search rows")

    def __str__(self) -> str:
        return str(self.message_id)


class RecordDoc(models.Model):
    """A customer, conversation, ticket, order, after-sales case or complaint, as search sees it:
    its title, the plain text snippets are cut from, and that text's tokens."""

    kind = models.CharField(max_length=12)
    object_id = models.BigIntegerField()
    title = models.CharField(max_length=200)
    text = models.TextField()
    tokens = models.TextField()
    at = models.DateTimeField(null=True)

    class Meta:
        verbose_name = _("record search row")
        verbose_name_plural = _("record search rows")
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="finder_record_unique")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id}"
