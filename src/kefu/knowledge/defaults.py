"""Content a fresh kefu installs (post_migrate, idempotent): the help-center articles written
from the seeds, the canned-reply library, and the starting synonym groups."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from django.db import transaction

from kefu.core import clock
from kefu.knowledge import shipped_vectors
from kefu.knowledge.canned import load_default_library
from kefu.knowledge.choices import ArticleStatus
from kefu.knowledge.models import Article, Lexicon, SynonymGroup

SYNONYMS = ("快递=物流=包裹", "退款=退钱", "发票=开票", "保修=维修=报修", "收货地址=地址")


def default_articles() -> list[dict[str, Any]]:
    raw = resources.files("kefu.knowledge").joinpath("data/articles.json").read_text(encoding="utf-8")
    data: list[dict[str, Any]] = json.loads(raw)
    return data


def install_articles() -> int:
    """Create the shipped articles that are missing (by key); edited ones are left alone."""
    from kefu.knowledge.actions import do_create_article

    now = clock.now()
    existing = set(Article.objects.values_list("key", flat=True))
    created = 0
    with transaction.atomic():
        for item in default_articles():
            if item["key"] in existing:
                continue
            do_create_article(now=now, status=ArticleStatus.PUBLISHED, embed_after_commit=False, **item)
            created += 1
    return created


def install_synonyms() -> int:
    if Lexicon.objects.exists():
        return 0  # installed before (and possibly edited by an administrator)
    now = clock.now()
    with transaction.atomic():
        for words in SYNONYMS:
            SynonymGroup.objects.create(words=words, updated_at=now)
        Lexicon.objects.create(pk=1, stamp="defaults")
    return len(SYNONYMS)


def install(**kwargs: Any) -> None:
    """post_migrate receiver of the knowledge app."""
    if kwargs.get("app_config") is not None and kwargs["app_config"].label != "knowledge":
        return
    install_synonyms()
    install_articles()
    shipped_vectors.apply()  # the shipped articles' committed vectors: nothing to embed at first start
    load_default_library()
