"""The FAQ bot's matching: shipped vectors that match the articles, similar questions per article, the
dev/test split, and the bot's figure on the TEST set frozen before tuning (docs/assist.md defines it)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from kefu.bot import matching, phrasings
from kefu.bot.management.commands.bot_vectors import stale_entries
from kefu.knowledge import shipped_vectors
from kefu.knowledge.defaults import default_articles
from kefu.knowledge.index import passage_text
from kefu.knowledge.models import Article

PUBLIC = {a["key"] for a in default_articles() if a.get("is_public")}


def test_shipped_vectors_match_the_articles_text_hashes():
    # Given the committed manifest, every shipped article's passage text hashes to its entry,
    manifest = shipped_vectors.manifest()
    assert manifest["model"] == shipped_vectors.model_name()
    assert set(manifest["articles"]) == {a["key"] for a in default_articles()}
    assert stale_entries() == []
    # and every vector is a unit vector of the model's size.
    norms = np.linalg.norm(shipped_vectors.matrix(), axis=1)
    assert shipped_vectors.matrix().shape == (len(manifest["articles"]), 384)
    assert np.allclose(norms, 1.0, atol=1e-4)


def test_a_changed_text_gets_no_shipped_vector():
    key, passage = next(iter(shipped_vectors.default_passages().items()))
    assert shipped_vectors.vector_for(key, passage) is not None
    assert shipped_vectors.vector_for(key, passage + "（已修改）") is None
    assert shipped_vectors.vector_for("no-such-article", passage) is None


@pytest.mark.django_db
def test_install_stores_the_shipped_vectors_so_nothing_is_embedded_at_first_start():
    # Given a freshly migrated database (the defaults are installed by post_migrate),
    # then every shipped article already has its current vector, the committed one.
    for article in Article.objects.filter(key__in=PUBLIC):
        assert article.embedding is not None, article.key
        assert article.embedded_version == article.version
        assert bytes(article.embedding) == shipped_vectors.vector_for(article.key, passage_text(article))


@pytest.mark.django_db
def test_an_edited_shipped_article_is_not_given_the_stale_vector():
    # Given a shipped article whose text an administrator changed (new version, no vector yet),
    article = Article.objects.get(key="shipping-fee")
    Article.objects.filter(pk=article.pk).update(body="<p>全场包邮。</p>", version=article.version + 1)
    # when the shipped vectors are applied again, it is left to the embedding job.
    shipped_vectors.apply()
    article.refresh_from_db()
    assert article.embedded_version != article.version


def test_every_public_article_has_similar_questions_and_none_is_a_test_question():
    found = phrasings.questions()
    assert set(found) == PUBLIC
    assert all(len(items) >= 6 for items in found.values())
    test_questions = {q for q, _k in matching.questions("test")}
    assert not test_questions & {t for items in found.values() for t in items}
    loaded = phrasings.load()
    assert loaded.matrix.shape == (len(loaded.texts), 384)


def test_dev_and_test_sets_are_apart_and_name_public_articles():
    dev, test = matching.questions("dev"), matching.questions("test")
    assert not {q for q, _k in dev} & {q for q, _k in test}
    assert {k for _q, k in dev + test if k} <= PUBLIC
    assert len([k for _q, k in test if k]) >= 150
    assert len([k for _q, k in test if k is None]) >= 20


_FIGURES: dict[str, dict] = {}


def _test_figures() -> dict:
    # The TEST set (bot/data/faq_test.jsonl) was committed before any constant was chosen and is not
    # tuned on.  top1_hybrid: the share of its answerable questions whose first-ranked article is the
    # right one, whether or not the bot then answers (docs/assist.md, "How the bot is measured").
    if "test" not in _FIGURES:
        _FIGURES["test"] = matching.evaluate("test")
        print(json.dumps(_FIGURES["test"], ensure_ascii=False))  # noqa: T201 - the figure, for the report
    return _FIGURES["test"]


@pytest.mark.django_db
def test_frozen_test_set_top1_reaches_the_target():
    # Scored once after the DEV work (2026-12-06): 0.951 (176 of 185), at the target with one question
    # to spare; a change that loses two of them fails here.
    assert _test_figures()["top1_hybrid"] >= 0.95


@pytest.mark.django_db
def test_frozen_test_set_beats_each_signal_alone_and_hands_over_out_of_scope():
    figures = _test_figures()
    assert figures["questions"] >= 150
    assert figures["top1_hybrid"] > max(figures["top1_lexical"], figures["top1_semantic"])
    # Unsure means hand over: measured 0.022 answered wrong (4 of 185) with 0.086 handed over.
    assert figures["answered_wrong"] <= 0.05
    assert figures["out_of_scope_handed_over"] == 1.0
