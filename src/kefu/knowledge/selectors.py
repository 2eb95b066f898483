"""Reads of the knowledge app: article lists, feedback counts, related articles, help-center
categories, and the canned replies an agent may use."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from kefu.core.text import embed
from kefu.knowledge import index, resident
from kefu.knowledge.choices import ArticleCategory, ArticleStatus, CannedScope
from kefu.knowledge.models import Article, CannedReply


def with_feedback(articles: QuerySet[Article]) -> QuerySet[Article]:
    return articles.annotate(
        helpful_yes=Count("feedback", filter=Q(feedback__helpful=True)),
        helpful_no=Count("feedback", filter=Q(feedback__helpful=False)),
    )


def public_articles() -> QuerySet[Article]:
    return Article.objects.filter(is_public=True, status=ArticleStatus.PUBLISHED)


def help_categories() -> list[dict[str, Any]]:
    """The help center's categories that have public articles, in the choices' order."""
    counts = dict(public_articles().values_list("category").annotate(n=Count("pk")).values_list("category", "n"))
    return [
        {"value": value, "label": label, "count": counts[value]}
        for value, label in ArticleCategory.choices
        if counts.get(value)
    ]


def related(article: Article, *, limit: int = 5, public_only: bool = False) -> list[Article]:
    """The published articles nearest to ``article`` by embedding cosine (one product with the
    in-process matrix of published vectors, ``kefu.knowledge.resident``)."""
    vectors = index.refresh_vectors([article.pk])
    if article.pk not in vectors:
        return []
    own = embed.unpack(vectors[article.pk])
    best = [pk for pk, _ in resident.nearest(own, limit=limit, public_only=public_only, exclude=article.pk)]
    found = Article.objects.in_bulk(best)
    return [found[pk] for pk in best if pk in found]


def canned_visible_to(agent: Any) -> QuerySet[CannedReply]:
    """Company replies, the agent's teams' replies and the agent's own (R20)."""
    team_ids = list(agent.teams.values_list("pk", flat=True)) if hasattr(agent, "teams") else []
    return CannedReply.objects.filter(is_active=True).filter(
        Q(scope=CannedScope.COMPANY)
        | Q(scope=CannedScope.TEAM, team_id__in=team_ids)
        | Q(scope=CannedScope.PERSONAL, owner_id=agent.pk)
    )
