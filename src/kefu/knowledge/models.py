from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from kefu.knowledge.choices import ArticleCategory, ArticleStatus, CannedCategory, CannedScope


class CannedReply(models.Model):
    """A standard phrase (话术) agents insert with ``/shortcut``; ``{客服名}`` etc. fill in."""

    key = models.SlugField(_("key"), max_length=60, unique=True)
    category = models.CharField(_("category"), max_length=20, choices=CannedCategory.choices)
    title = models.CharField(_("title"), max_length=80)
    text = models.TextField(_("text"))
    note = models.CharField(_("note"), max_length=200, blank=True, help_text=_("Shown to the agent only, never sent."))
    shortcut = models.CharField(_("shortcut"), max_length=20, blank=True)
    shop = models.ForeignKey(
        "shops.Shop",
        verbose_name=_("shop"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text=_("Empty: available in every shop."),
    )
    scope = models.CharField(_("scope"), max_length=10, choices=CannedScope.choices, default=CannedScope.COMPANY)
    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="canned_replies",
    )
    usage_count = models.PositiveIntegerField(_("times used"), default=0)
    source = models.CharField(_("source"), max_length=20, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")
        ordering = ["category", "key"]
        permissions = [("add_own_cannedreply", "Can add personal canned replies")]

    def __str__(self) -> str:
        return self.title


class Article(models.Model):
    """A knowledge-base article: internal (agents) or public (help center, FAQ bot)."""

    key = models.SlugField(_("key"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), help_text=_("Sanitised HTML."))
    category = models.CharField(_("category"), max_length=20, choices=ArticleCategory.choices)
    is_public = models.BooleanField(_("public"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT)
    follow_up = models.CharField(
        _("follow-up fact"),
        max_length=300,
        blank=True,
        help_text=_("Said together with the answer, e.g. when an order usually arrives."),
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    embedding = models.BinaryField(_("embedding"), null=True, blank=True, editable=False)
    embedded_version = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["category", "title"]
        permissions = [("publish_article", "Can publish articles")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == ArticleStatus.PUBLISHED


class ArticleVersion(models.Model):
    """The article as it was before a save (every save keeps the previous version)."""

    article = models.ForeignKey(Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"))
    category = models.CharField(_("category"), max_length=20, choices=ArticleCategory.choices)
    is_public = models.BooleanField(_("public"))
    status = models.CharField(_("status"), max_length=10, choices=ArticleStatus.choices)
    follow_up = models.CharField(_("follow-up fact"), max_length=300, blank=True)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("saved by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    saved_at = models.DateTimeField(_("saved at"))

    class Meta:
        verbose_name = _("article version")
        verbose_name_plural = _("article versions")
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["article", "number"], name="knowledge_version_unique")]

    def __str__(self) -> str:
        return f"{self.article_id} v{self.number}"


def attachment_path(instance: ArticleAttachment, filename: str) -> str:
    return f"kb/{instance.article_id}/{filename}"


class ArticleAttachment(models.Model):
    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=attachment_path)
    name = models.CharField(_("name"), max_length=120)
    content_type = models.CharField(_("content type"), max_length=60)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class ArticleFeedback(models.Model):
    """A help-center reader's "was this helpful" vote: one per visitor and article."""

    article = models.ForeignKey(Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="feedback")
    visitor = models.CharField(_("visitor"), max_length=64)
    helpful = models.BooleanField(_("helpful"))
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("article feedback")
        verbose_name_plural = _("article feedback")
        constraints = [models.UniqueConstraint(fields=["article", "visitor"], name="knowledge_feedback_once")]

    def __str__(self) -> str:
        return f"{self.article_id}: {self.helpful}"


class ArticleIndex(models.Model):
    """The search index row of a published article: folded, segmented, synonym-normalised tokens.

    SQLite mirrors ``tokens`` into the FTS5 table ``knowledge_fts`` by triggers (migration 0002);
    PostgreSQL indexes ``to_tsvector('simple', tokens)`` with GIN. ``length`` (tokens) feeds BM25."""

    article = models.OneToOneField(Article, primary_key=True, on_delete=models.CASCADE, related_name="index_row")
    tokens = models.TextField()
    length = models.PositiveIntegerField()
    is_public = models.BooleanField()
    # A random number, new whenever the row or its article's vector changes: the in-process
    # vector index (kefu.knowledge.vectors) re-reads only the rows whose stamp it has not seen.
    stamp = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("search index row")
        verbose_name_plural = _("search index rows")

    def __str__(self) -> str:
        return str(self.article_id)


class IndexStats(models.Model):
    """One row (pk 1): the corpus statistics BM25 needs — how many rows the index holds and their
    total length — and a random stamp, new on every index or vector change (so a process notices
    a change, even one rolled back, with one primary-key read)."""

    documents = models.IntegerField(default=0)
    total_length = models.BigIntegerField(default=0)
    stamp = models.CharField(max_length=32, default="")

    class Meta:
        verbose_name = _("search statistics")

    def __str__(self) -> str:
        return f"{self.documents} documents"


class TermStat(models.Model):
    """How many index rows contain ``term`` (its document frequency, for BM25's idf), kept by
    the index writes (kefu.knowledge.stats) instead of being recounted at search time."""

    term = models.CharField(max_length=255, primary_key=True)
    df = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("term statistics")

    def __str__(self) -> str:
        return f"{self.term}: {self.df}"


@receiver(post_delete, sender=ArticleIndex, dispatch_uid="kefu.knowledge.index_row_removed")
def _index_row_removed(sender: Any, instance: ArticleIndex, **kwargs: Any) -> None:
    # Every removal of an index row (unpublish, article delete by cascade, queryset delete)
    # passes here, so the term statistics cannot drift from the rows.
    from kefu.knowledge import stats

    stats.remove_row(instance.tokens, instance.length)


class SearchWord(models.Model):
    """An administrator's dictionary word, kept whole by segmentation (e.g. a product name)."""

    word = models.CharField(_("word"), max_length=40, unique=True)
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("dictionary word")
        verbose_name_plural = _("dictionary words")
        ordering = ["word"]

    def __str__(self) -> str:
        return self.word


class SynonymGroup(models.Model):
    """Words that search treats as one (快递=物流=包裹); the first word is the indexed form."""

    words = models.CharField(_("words"), max_length=300, help_text=_("Separated by “=”, e.g. 快递=物流=包裹."))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("synonym group")
        verbose_name_plural = _("synonym groups")
        ordering = ["words"]

    def __str__(self) -> str:
        return self.words

    @property
    def word_list(self) -> list[str]:
        return [w.strip() for w in self.words.replace("＝", "=").split("=") if w.strip()]


class Lexicon(models.Model):
    """One row: a stamp of the dictionary and synonyms, new on every change, so each process
    notices and reloads its segmenter (a random stamp also survives test rollbacks)."""

    stamp = models.CharField(max_length=32, default="")

    class Meta:
        verbose_name = _("lexicon")

    def __str__(self) -> str:
        return self.stamp
