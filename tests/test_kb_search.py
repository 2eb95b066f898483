"""Chinese knowledge search: folding, segmentation, synonyms, BM25, snippets, index upkeep."""

from __future__ import annotations

import pytest

from kefu.core import clock
from kefu.knowledge import actions
from kefu.knowledge.choices import ArticleStatus
from kefu.knowledge.models import Article, SynonymGroup
from kefu.knowledge.search import search
from tests.factories import UserFactory
from tests.factories_kb import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return UserFactory(role="admin", username="kb_admin")


@pytest.fixture
def corpus(admin):
    # The shipped articles and synonyms go: these tests use their own corpus and lexicon.
    for article in Article.objects.all():
        actions.check_delete_article(article, actor=admin, now=clock.now())
    for group in SynonymGroup.objects.all():
        actions.check_delete_synonym_group(group, actor=admin, now=clock.now())
    return {
        "refund": ArticleFactory(
            key="t-refund", title="退款多久到账", body="<p>退款审核通过后原路退回，1–3个工作日到账。</p>"
        ),
        "trad": ArticleFactory(key="t-trad", title="發票說明", body="<p>訂單完成後可申請開具電子發票。</p>"),
        "ship": ArticleFactory(key="t-ship", title="发货时间", body="<p>付款后48小时内发货，物流一般3–5天送达。</p>"),
        "install": ArticleFactory(key="t-install", title="安装指南", body="<p>设备安装前请先断电。</p>"),
    }


def keys(hits):
    return [hit.key for hit in hits]


def test_traditional_query_finds_simplified_article_and_the_reverse(corpus):
    # Given a Simplified article about refunds and a Traditional one about invoices,
    # when searching 退款 in Traditional (退款 is the same) / 發票 in Simplified (发票),
    # then each finds the article written in the other script.
    assert keys(search("退款到賬", semantic=False))[0] == "t-refund"
    assert keys(search("发票", semantic=False)) == ["t-trad"]


def test_refund_finds_refund_articles_only(corpus):
    # Given four articles of which one mentions 退款, when searching 退款,
    # then exactly that article is found, with a normalised lexical score.
    hits = search("退款")
    assert keys(hits) == ["t-refund"]
    assert 0 < hits[0].lexical <= 1
    assert hits[0].semantic is not None


def test_synonyms_apply_at_index_and_query_time(corpus, admin):
    # Given no synonyms, 快递 does not find the article that says 物流.
    assert "t-ship" not in keys(search("快递", semantic=False))
    # When an administrator adds the group 快递=物流=包裹,
    actions.check_save_synonym_group("快递=物流=包裹", actor=admin, now=clock.now())
    # then 快递 and 包裹 find it, and the snippet marks the word the article uses.
    hits = search("快遞", semantic=False)
    assert keys(hits) == ["t-ship"]
    assert "<mark>物流</mark>" in hits[0].snippet
    assert keys(search("包裹", semantic=False)) == ["t-ship"]


def test_snippet_highlights_and_escapes_hostile_html(corpus):
    # Given an article whose text shows HTML-looking text and carried a script,
    article = ArticleFactory(
        key="t-hostile",
        title="退货须知",
        body="<p>退货请写明 &lt;script&gt;x&lt;/script&gt;</p><script>alert(1)</script>",
    )
    # when it is searched, then the script element is gone and the snippet is escaped with <mark>.
    assert "<script" not in article.body
    [hit] = search("退货", semantic=False)
    assert hit.snippet.startswith("<mark>退货</mark>")
    assert "&lt;script&gt;" in hit.snippet
    assert "<script" not in hit.snippet


def test_index_follows_edits_unpublish_and_delete(corpus, admin):
    # Given the refund article, when its text changes to be about exchanges,
    refund = corpus["refund"]
    actions.check_update_article(refund, actor=admin, now=clock.now(), title="换货流程", body="<p>换货请联系客服。</p>")
    # then 退款 no longer finds it and 换货 does;
    assert search("退款", semantic=False) == []
    assert keys(search("换货", semantic=False)) == ["t-refund"]
    # when it is unpublished, nothing finds it; when the install article is deleted, neither.
    actions.check_update_article(refund, actor=admin, now=clock.now(), status=ArticleStatus.DRAFT)
    assert search("换货", semantic=False) == []
    actions.check_delete_article(corpus["install"], actor=admin, now=clock.now())
    assert search("安装", semantic=False) == []


def test_dictionary_word_keeps_a_product_name_whole(corpus, admin):
    # Given an article naming the product 光猫盒子 (segmented apart by default),
    ArticleFactory(key="t-box", title="光猫盒子说明", body="<p>光猫盒子支持千兆。</p>")
    ArticleFactory(key="t-cat", title="猫粮", body="<p>猫粮不在本店销售。</p>")
    # when an administrator adds it to the dictionary,
    actions.check_add_search_word("光猫盒子", actor=admin, now=clock.now())
    # then the query is one word and finds only that article.
    assert keys(search("光猫盒子", semantic=False)) == ["t-box"]


def test_public_only_hides_internal_articles(corpus):
    # Given an internal article about refunds, when searching publicly, then it is hidden.
    ArticleFactory(key="t-internal", title="退款内部流程", is_public=False)
    assert "t-internal" in keys(search("退款", semantic=False))
    assert "t-internal" not in keys(search("退款", public_only=True, semantic=False))


def test_semantic_neighbours_and_related_articles_of_the_shipped_articles():
    from kefu.knowledge.search import nearest
    from kefu.knowledge.selectors import related

    # Given the shipped articles, when a question shares no word with any title,
    hits = nearest("钱什么时候能回到我的账户", limit=3, public_only=True)
    # then the semantic neighbours still bring the refund article, with a cosine and no lexical part.
    assert "refunds-how-long" in keys(hits)
    assert all(hit.lexical == 0 and hit.semantic is not None for hit in hits)
    # and the refund article's related articles are about money back or returns, not itself.
    refund = Article.objects.get(key="refunds-how-long")
    near = [a.key for a in related(refund, limit=4)]
    assert "refunds-how-long" not in near
    assert {"refunds-only", "refunds-price-difference", "returns-seven-day", "returns-how-to"} & set(near)


def test_article_vector_is_refreshed_after_commit(admin, django_capture_on_commit_callbacks):
    article = ArticleFactory(key="t-vector", title="以旧换新", body="<p>旧设备可以折价。</p>")
    # Given an article edit, when the transaction commits,
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        actions.check_update_article(article, actor=admin, now=clock.now(), body="<p>旧光猫可以抵 50 元。</p>")
    article.refresh_from_db()
    # then the vector is stale until the after-commit callback runs, and fresh afterwards.
    assert article.embedded_version != article.version
    for callback in callbacks:
        callback()
    article.refresh_from_db()
    assert article.embedded_version == article.version
    assert article.embedding is not None
