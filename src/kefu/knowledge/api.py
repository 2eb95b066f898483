"""REST endpoints of the knowledge app (mounted by kefu.web.api): kb/…"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from kefu.core import clock
from kefu.core.actions import has_perm, require
from kefu.core.errors import ValidationFailed
from kefu.knowledge import actions
from kefu.knowledge.choices import ArticleStatus
from kefu.knowledge.models import Article
from kefu.knowledge.search import search

router = Router(tags=["knowledge"])

MAX_QUERY = 200
MAX_LIMIT = 50


class ArticleIn(Schema):
    title: str
    body: str
    category: str
    public: bool = False
    status: str | None = None
    follow_up: str = ""
    key: str = ""


def article_out(article: Article) -> dict[str, Any]:
    return {
        "id": article.pk,
        "key": article.key,
        "title": article.title,
        "body": article.body,
        "category": article.category,
        "public": article.is_public,
        "status": article.status,
        "follow_up": article.follow_up,
        "version": article.version,
        "updated_at": article.updated_at.isoformat(),
    }


@router.get("/kb/search")
def kb_search(request: HttpRequest, q: str = "", limit: int = 10) -> dict[str, Any]:
    """Published articles matching ``q`` (Chinese-aware, BM25 + semantic re-rank):
    ``{"hits": [{id, key, title, snippet, score}]}``; ``snippet`` is HTML with ``<mark>``."""
    require(request.user, "knowledge.view_article")
    q = q.strip()
    if not q:
        raise ValidationFailed(_("Type something to search for."))
    if len(q) > MAX_QUERY:
        raise ValidationFailed(_("A search has at most 200 characters."))
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationFailed(_("The limit is between 1 and 50."))
    hits = search(q, limit=limit)
    return {
        "hits": [
            {"id": h.article_id, "key": h.key, "title": h.title, "snippet": h.snippet, "score": h.score} for h in hits
        ]
    }


@router.post("/kb/articles", response={201: dict[str, Any]})
def kb_create(request: HttpRequest, body: ArticleIn) -> Status:
    """Create an article (``title``, ``body`` HTML — sanitised, ``category``, ``public``);
    published at once when the caller may publish, else a draft."""
    status = body.status or (
        ArticleStatus.PUBLISHED if has_perm(request.user, "knowledge.publish_article") else ArticleStatus.DRAFT
    )
    article = actions.check_create_article(
        actor=request.user,
        now=clock.now(),
        title=body.title,
        body=body.body,
        category=body.category,
        is_public=body.public,
        status=status,
        follow_up=body.follow_up,
        key=body.key,
    )
    return Status(201, article_out(article))


@router.get("/kb/articles/{article_id}")
def kb_article(request: HttpRequest, article_id: int) -> dict[str, Any]:
    require(request.user, "knowledge.view_article")
    return article_out(get_object_or_404(Article, pk=article_id))
