"""Factories of the knowledge app (articles go through the action, so they are indexed)."""

from __future__ import annotations

import factory

from kefu.core import clock
from kefu.knowledge.actions import do_create_article
from kefu.knowledge.choices import ArticleCategory, ArticleStatus
from kefu.knowledge.models import Article


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    key = factory.Sequence(lambda n: f"test-article-{n}")
    title = factory.Sequence(lambda n: f"测试文章{n}")
    body = "<p>这是一篇测试文章。</p>"
    category = ArticleCategory.OTHER
    is_public = True
    status = ArticleStatus.PUBLISHED
    follow_up = ""

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return do_create_article(now=clock.now(), **kwargs)
