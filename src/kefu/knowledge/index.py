"""Keeping the search index and the article vectors in step with the articles.

Only published articles are indexed. The row holds the title's tokens twice (titles weigh
more) followed by the body's. Vectors are refreshed after commit, and lazily by search for any
article whose vector is older than its text (``embedded_version``)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from kefu.core.text import embed
from kefu.knowledge import lexicon, stats
from kefu.knowledge.content import plain_text
from kefu.knowledge.models import Article, ArticleIndex


def index_text(article: Article) -> str:
    return f"{article.title}\n{article.title}\n{plain_text(article.body)}"


def passage_text(article: Article) -> str:
    return f"{article.title}\n{plain_text(article.body)[:600]}"


def reindex(article: Article) -> None:
    """Write (or remove) the article's index row from its current state."""
    if not article.is_published:
        ArticleIndex.objects.filter(article_id=article.pk).delete()
        return
    tokens = lexicon.tokens(index_text(article))
    text = " ".join(tokens)
    with transaction.atomic():
        old = (
            ArticleIndex.objects.select_for_update()
            .filter(article_id=article.pk)
            .values_list("tokens", "length", "is_public")
            .first()
        )
        if old is not None and old == (text, len(tokens), article.is_public):
            return
        ArticleIndex.objects.update_or_create(
            article_id=article.pk,
            defaults={
                "tokens": text,
                "length": len(tokens),
                "is_public": article.is_public,
                "stamp": stats.row_stamp(),
            },
        )
        stats.replace_row(None if old is None else (old[0], old[1]), (text, len(tokens)))


def reindex_matching(words: Iterable[str]) -> int:
    """Re-tokenise the published articles whose text contains one of ``words`` (after a
    dictionary or synonym change); returns how many were rewritten."""
    from kefu.core.text import fold

    wanted = {fold(w) for w in words if w.strip()}
    if not wanted:
        return 0
    count = 0
    for article in Article.objects.filter(index_row__isnull=False).iterator(chunk_size=500):
        text = fold(index_text(article))
        if any(word in text for word in wanted):
            reindex(article)
            count += 1
    return count


WAITING_BATCH = 200


def refresh_vectors(ids: Iterable[int]) -> dict[int, bytes]:
    """Embed the given articles whose vector is missing or stale; returns every requested
    article's packed vector."""
    articles = list(
        Article.objects.filter(pk__in=list(ids)).only("pk", "title", "body", "version", "embedded_version", "embedding")
    )
    stale = [a for a in articles if a.embedding is None or a.embedded_version != a.version]
    if stale:
        # Embed the other published articles still waiting too, in the same batch (a fresh
        # install's articles get their vectors on the first search, not one search at a time).
        waiting = (
            Article.objects.filter(index_row__isnull=False, embedding__isnull=True)
            .exclude(pk__in=[a.pk for a in stale])
            .only("pk", "title", "body", "version", "embedded_version", "embedding")[:WAITING_BATCH]
        )
        stale.extend(waiting)
        vectors = _passage_vectors([passage_text(a) for a in stale])
        with transaction.atomic():
            for article, vec in zip(stale, vectors, strict=True):
                article.embedding = vec
                Article.objects.filter(pk=article.pk, version=article.version).update(
                    embedding=article.embedding, embedded_version=article.version
                )
                ArticleIndex.objects.filter(article_id=article.pk).update(stamp=stats.row_stamp())
            stats.touch()
    return {a.pk: bytes(a.embedding) for a in articles if a.embedding is not None}


_memo: dict[str, bytes] = {}
_MEMO_SIZE = 5000


def _passage_vectors(texts: list[str]) -> list[bytes]:
    """Packed vectors of ``texts``, remembering recent ones (the same text embeds the same)."""
    missing = list(dict.fromkeys(t for t in texts if t not in _memo))
    if missing:
        if len(_memo) + len(missing) > _MEMO_SIZE:
            _memo.clear()
        for text, vec in zip(missing, embed.passage_vectors(missing), strict=True):
            _memo[text] = embed.pack(vec)
    return [_memo[t] for t in texts]


def refresh_vector_after_commit(article_id: int) -> None:
    transaction.on_commit(lambda: refresh_vectors([article_id]))
