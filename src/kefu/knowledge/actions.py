"""Writes to the knowledge base: articles (versions, attachments, feedback), the search
lexicon (dictionary words, synonyms) and canned replies."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kefu.core.actions import action, has_perm
from kefu.core.errors import NotFound, PermissionDenied, ValidationFailed
from kefu.core.events import record_audit
from kefu.core.uploads import check_upload
from kefu.knowledge import index
from kefu.knowledge.choices import ArticleCategory, ArticleStatus, CannedCategory, CannedScope
from kefu.knowledge.content import plain_text, sanitise
from kefu.knowledge.models import (
    Article,
    ArticleAttachment,
    ArticleFeedback,
    ArticleVersion,
    CannedReply,
    Lexicon,
    SearchWord,
    SynonymGroup,
)
from kefu.knowledge.transitions import EVENT_OF_TARGET, article_machine

ARTICLE_FIELDS = ("title", "body", "category", "is_public", "status", "follow_up")
MAX_BODY_CHARS = 100_000


def clean_article(fields: dict[str, Any]) -> dict[str, Any]:
    """Validate and normalise article fields; the body is sanitised here."""
    unknown = set(fields) - set(ARTICLE_FIELDS)
    if unknown:
        raise ValidationFailed(_("Unknown article fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    clean = dict(fields)
    if "title" in clean:
        clean["title"] = " ".join(str(clean["title"] or "").split())
        if not clean["title"]:
            raise ValidationFailed(_("An article needs a title."))
        if len(clean["title"]) > 200:
            raise ValidationFailed(_("The title has at most 200 characters."))
    if "body" in clean:
        body = str(clean["body"] or "")
        if len(body) > MAX_BODY_CHARS:
            raise ValidationFailed(_("The article text has at most 100,000 characters."))
        clean["body"] = sanitise(body)
        if not plain_text(clean["body"]) and "<img" not in clean["body"]:
            raise ValidationFailed(_("An article needs some text."))
    if "category" in clean and clean["category"] not in ArticleCategory.values:
        raise ValidationFailed(_("Unknown article category."))
    if "status" in clean and clean["status"] not in ArticleStatus.values:
        raise ValidationFailed(_("Unknown article status."))
    if "is_public" in clean:
        clean["is_public"] = bool(clean["is_public"])
    if "follow_up" in clean:
        clean["follow_up"] = str(clean["follow_up"] or "").strip()
        if len(clean["follow_up"]) > 300:
            raise ValidationFailed(_("The follow-up fact has at most 300 characters."))
    return clean


def _new_key(title: str) -> str:
    base = slugify(title)[:60] or "article"
    key = base
    while Article.objects.filter(key=key).exists():
        key = f"{base}-{uuid.uuid4().hex[:6]}"
    return key


def do_create_article(
    *,
    title: str,
    body: str,
    category: str,
    now: datetime,
    actor: Any = None,
    key: str = "",
    is_public: bool = False,
    status: str = ArticleStatus.DRAFT,
    follow_up: str = "",
    embed_after_commit: bool = True,
) -> Article:
    """``embed_after_commit=False`` leaves the vector to the first search that needs it
    (bulk installs)."""
    clean = clean_article(
        {"title": title, "body": body, "category": category, "is_public": is_public, "status": status,
         "follow_up": follow_up}
    )  # fmt: skip
    if key and (len(key) > 80 or slugify(key) != key):
        raise ValidationFailed(_("A key has at most 80 letters, digits, hyphens and underscores."))
    with transaction.atomic():
        if key and Article.objects.filter(key=key).exists():
            raise ValidationFailed(_("An article with this key already exists."))
        user = actor if getattr(actor, "pk", None) else None
        article = Article.objects.create(
            key=key or _new_key(clean["title"]),
            created_by=user,
            updated_by=user,
            created_at=now,
            updated_at=now,
            **clean,
        )
        index.reindex(article)
        record_audit(article, "article.created", actor=actor, now=now, to_state=article.status)
        if embed_after_commit:
            index.refresh_vector_after_commit(article.pk)
    return article


def _require_publish(actor: Any, status: str, before: str | None = None) -> None:
    if (
        status != before
        and ArticleStatus.PUBLISHED in (status, before)
        and not has_perm(actor, "knowledge.publish_article")
    ):
        raise PermissionDenied(_("You may not publish or unpublish articles."), permission="knowledge.publish_article")


@action("knowledge.add_article")
def check_create_article(*, actor: Any, now: datetime, **fields: Any) -> Article:
    _require_publish(actor, fields.get("status", ArticleStatus.DRAFT))
    return do_create_article(actor=actor, now=now, **fields)


def do_update_article(article: Article, changes: dict[str, Any], *, actor: Any, now: datetime) -> Article:
    """Keep the current state as a version, apply ``changes``, re-index, re-embed after commit."""
    clean = clean_article(changes)
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article.pk)
        changed = {k: v for k, v in clean.items() if getattr(article, k) != v}
        if not changed:
            return article
        ArticleVersion.objects.create(
            article=article,
            number=article.version,
            saved_by=article.updated_by,
            saved_at=article.updated_at,
            **{name: getattr(article, name) for name in ARTICLE_FIELDS},
        )
        before = article.status
        if "status" in changed:  # draft ⇄ published, checked against the table
            article_machine.target(before, EVENT_OF_TARGET[changed["status"]])
        for name, value in changed.items():
            setattr(article, name, value)
        article.version += 1
        article.updated_at = now
        article.updated_by = actor if getattr(actor, "pk", None) else None
        article.save()
        index.reindex(article)
        record_audit(
            article,
            "article.changed",
            actor=actor,
            now=now,
            from_state=before,
            to_state=article.status,
            data={"fields": sorted(changed), "version": article.version},
        )
        index.refresh_vector_after_commit(article.pk)
    return article


@action("knowledge.change_article")
def check_update_article(article: Article, *, actor: Any, now: datetime, **changes: Any) -> Article:
    if "status" in changes:
        _require_publish(actor, changes["status"], article.status)
    return do_update_article(article, changes, actor=actor, now=now)


@action("knowledge.change_article")
def check_restore_version(article: Article, number: int, *, actor: Any, now: datetime) -> Article:
    version = ArticleVersion.objects.filter(article=article, number=number).first()
    if version is None:
        raise NotFound(_("That version does not exist."))
    restored = {name: getattr(version, name) for name in ARTICLE_FIELDS}
    _require_publish(actor, restored["status"], article.status)
    return do_update_article(article, restored, actor=actor, now=now)


@action("knowledge.delete_article")
def check_delete_article(article: Article, *, actor: Any, now: datetime) -> None:
    with transaction.atomic():
        record_audit(
            article, "article.deleted", actor=actor, now=now, data={"key": article.key, "title": article.title}
        )
        article.delete()  # the index row goes with it (cascade; FTS5 follows by trigger)


@action("knowledge.change_article")
def check_add_attachment(article: Article, upload: UploadedFile, *, actor: Any, now: datetime) -> ArticleAttachment:
    """Images and documents (PDF, Office) judged by their bytes, within the upload limit."""
    checked = check_upload(upload)
    if checked.content_type == "text/plain" and not checked.name.lower().endswith((".txt", ".csv", ".md")):
        raise ValidationFailed(_("“%(name)s” is not a file type kefu accepts.") % {"name": checked.name})
    with transaction.atomic():
        attachment = ArticleAttachment(
            article=article,
            name=checked.name,
            content_type=checked.content_type,
            size=checked.size,
            uploaded_by=actor,
            uploaded_at=now,
        )
        attachment.file.save(checked.name, upload, save=False)
        attachment.save()
        record_audit(article, "article.attachment_added", actor=actor, now=now, data={"name": checked.name})
    return attachment


@action("knowledge.change_article")
def check_remove_attachment(attachment: ArticleAttachment, *, actor: Any, now: datetime) -> None:
    with transaction.atomic():
        record_audit(
            attachment.article, "article.attachment_removed", actor=actor, now=now, data={"name": attachment.name}
        )
        attachment.file.delete(save=False)
        attachment.delete()


def do_record_feedback(
    article: Article, *, visitor: str, helpful: bool, comment: str, now: datetime
) -> ArticleFeedback:
    """A help-center reader's vote (no login): one per visitor and article; voting again
    changes the vote. Only public, published articles take votes."""
    if not (article.is_public and article.is_published):
        raise NotFound(_("That article does not exist."))
    comment = " ".join(str(comment or "").split())
    if len(comment) > 500:
        raise ValidationFailed(_("The comment has at most 500 characters."))
    if not visitor or len(visitor) > 64:
        raise ValidationFailed(_("Your browser did not identify itself; allow cookies and try again."))
    feedback, _created = ArticleFeedback.objects.update_or_create(
        article=article, visitor=visitor, defaults={"helpful": helpful, "comment": comment, "created_at": now}
    )
    return feedback


# -- the search lexicon ------------------------------------------------------------


def _touch_lexicon(words: list[str]) -> None:
    Lexicon.objects.update_or_create(pk=1, defaults={"stamp": uuid.uuid4().hex})
    index.reindex_matching(words)


def _clean_word(word: str) -> str:
    word = "".join(str(word or "").split())
    if not word or len(word) > 40:
        raise ValidationFailed(_("A word has 1 to 40 characters and no spaces."))
    return word


@action("knowledge.add_searchword")
def check_add_search_word(word: str, *, actor: Any, now: datetime) -> SearchWord:
    word = _clean_word(word)
    with transaction.atomic():
        row, _created = SearchWord.objects.update_or_create(word=word, defaults={"updated_at": now})
        _touch_lexicon([word])
        record_audit(row, "lexicon.word_added", actor=actor, now=now, data={"word": word})
    return row


@action("knowledge.delete_searchword")
def check_delete_search_word(row: SearchWord, *, actor: Any, now: datetime) -> None:
    with transaction.atomic():
        record_audit(row, "lexicon.word_deleted", actor=actor, now=now, data={"word": row.word})
        row.delete()
        _touch_lexicon([row.word])


def clean_synonyms(words: str) -> str:
    members = list(dict.fromkeys(_clean_word(w) for w in words.replace("＝", "=").split("=") if w.strip()))
    if len(members) < 2:
        raise ValidationFailed(_("A synonym group needs at least two words separated by “=”."))
    if len(members) > 20:
        raise ValidationFailed(_("A synonym group has at most 20 words."))
    return "=".join(members)


@action("knowledge.add_synonymgroup")
def check_save_synonym_group(
    words: str, *, actor: Any, now: datetime, group: SynonymGroup | None = None
) -> SynonymGroup:
    """Create a group, or replace an existing group's words; re-indexes articles holding any
    old or new word."""
    text = clean_synonyms(words)
    with transaction.atomic():
        before = group.word_list if group else []
        if group is None:
            group = SynonymGroup.objects.create(words=text, updated_at=now)
        else:
            group.words, group.updated_at = text, now
            group.save(update_fields=["words", "updated_at"])
        _touch_lexicon([*before, *group.word_list])
        record_audit(group, "lexicon.synonyms_saved", actor=actor, now=now, data={"words": text})
    return group


@action("knowledge.delete_synonymgroup")
def check_delete_synonym_group(group: SynonymGroup, *, actor: Any, now: datetime) -> None:
    with transaction.atomic():
        record_audit(group, "lexicon.synonyms_deleted", actor=actor, now=now, data={"words": group.words})
        words = group.word_list
        group.delete()
        _touch_lexicon(words)


# -- canned replies ------------------------------------------------------------------


def clean_canned(fields: dict[str, Any]) -> dict[str, Any]:
    clean = {k: " ".join(str(v or "").split()) if k != "text" else str(v or "").strip() for k, v in fields.items()}
    if not clean.get("title") or len(clean["title"]) > 80:
        raise ValidationFailed(_("A canned reply needs a title of at most 80 characters."))
    if not clean.get("text") or len(clean["text"]) > 2000:
        raise ValidationFailed(_("A canned reply needs a text of at most 2,000 characters."))
    if len(clean.get("note", "")) > 200:
        raise ValidationFailed(_("The note has at most 200 characters."))
    shortcut = clean.get("shortcut", "").lstrip("/")
    if len(shortcut) > 20 or (shortcut and not shortcut.isalnum()):
        raise ValidationFailed(_("A shortcut has at most 20 letters or digits."))
    clean["shortcut"] = shortcut.lower()
    if clean.get("category", CannedCategory.OTHER) not in CannedCategory.values:
        raise ValidationFailed(_("Unknown canned-reply category."))
    return clean


@action("knowledge.add_own_cannedreply")
def check_create_personal_reply(
    *, actor: Any, now: datetime, title: str, text: str, category: str = CannedCategory.OTHER,
    shortcut: str = "", note: str = "",
) -> CannedReply:  # fmt: skip
    """An agent's own phrase: only its owner sees it."""
    clean = clean_canned({"title": title, "text": text, "category": category, "shortcut": shortcut, "note": note})
    with transaction.atomic():
        reply = CannedReply.objects.create(
            key=f"u{actor.pk}-{uuid.uuid4().hex[:10]}", scope=CannedScope.PERSONAL, owner=actor, source="personal",
            **clean,
        )  # fmt: skip
        record_audit(reply, "canned.created", actor=actor, now=now)
    return reply


@action("knowledge.add_own_cannedreply")
def check_delete_personal_reply(reply: CannedReply, *, actor: Any, now: datetime) -> None:
    if reply.scope != CannedScope.PERSONAL or reply.owner_id != actor.pk:
        raise PermissionDenied(_("You can only delete your own canned replies."))
    with transaction.atomic():
        record_audit(reply, "canned.deleted", actor=actor, now=now, data={"title": reply.title})
        reply.delete()


def do_count_use(reply_id: int) -> None:
    """A reply was sent using this canned reply (called by the send path)."""
    CannedReply.objects.filter(pk=reply_id).update(usage_count=F("usage_count") + 1)
