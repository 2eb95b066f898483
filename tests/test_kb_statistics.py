"""Term statistics (kefu.knowledge.stats) stay equal to a recount after every kind of index write,
and the in-process index (kefu.knowledge.resident) reads vectors once and follows edits."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kefu.core import clock
from kefu.core.text import embed
from kefu.knowledge import actions, lexicon, resident, search, stats
from kefu.knowledge.choices import ArticleStatus
from kefu.knowledge.models import Article, ArticleIndex, IndexStats, TermStat
from tests.factories import UserFactory
from tests.factories_kb import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return UserFactory(role="admin", username="kb_stats_admin")


def recount() -> tuple[dict[str, int], int, int]:
    """Document frequencies, rows and total length counted from the index rows themselves."""
    df: Counter[str] = Counter()
    total = 0
    rows = list(ArticleIndex.objects.values_list("tokens", "length"))
    for tokens, length in rows:
        df.update(stats.distinct_terms(tokens))
        total += length
    return dict(df), len(rows), total


def stored() -> tuple[dict[str, int], int, int]:
    row = IndexStats.objects.get(pk=1)
    return dict(TermStat.objects.filter(df__gt=0).values_list("term", "df")), row.documents, row.total_length


def test_statistics_match_a_recount_after_publish_unpublish_edit_and_delete(admin):
    # Given the shipped articles, the stored statistics equal a recount.
    assert stored() == recount()
    # When an article is created published, its words are counted once more;
    article = ArticleFactory(key="s-new", title="蓝牙耳机配对", body="<p>长按电源键五秒进入配对。</p>")
    before = stats.document_frequencies(["配对"])[0]
    assert before >= 1
    assert stored() == recount()
    # when it is edited, words it lost are counted down and words it gained up;
    actions.check_update_article(article, actor=admin, now=clock.now(), body="<p>长按电源键重置耳机。</p>")
    assert stats.document_frequencies(["配对"])[0] == before  # still in the title
    assert stats.document_frequencies(["重置"])[0] >= 1
    assert stored() == recount()
    # when it is unpublished, it leaves the statistics; published again, it comes back;
    actions.check_update_article(article, actor=admin, now=clock.now(), status=ArticleStatus.DRAFT)
    assert stats.document_frequencies(["配对"])[0] == before - 1
    assert stored() == recount()
    actions.check_update_article(article, actor=admin, now=clock.now(), status=ArticleStatus.PUBLISHED)
    assert stored() == recount()
    # a visibility change alone does not count it twice;
    actions.check_update_article(article, actor=admin, now=clock.now(), is_public=False)
    assert stored() == recount()
    # and when it is deleted (the index row goes by cascade), it is counted out.
    actions.check_delete_article(Article.objects.get(key="s-new"), actor=admin, now=clock.now())
    assert stats.document_frequencies(["配对"])[0] == before - 1
    assert stored() == recount()


def test_rebuild_recounts_from_the_rows():
    # Given statistics that drifted (a term's count damaged by hand),
    TermStat.objects.filter(term="退款").update(df=999_999)
    # when they are rebuilt, then they equal a recount again.
    stats.rebuild()
    assert stored() == recount()


def test_search_uses_the_stored_frequencies_not_a_recount():
    # Given the shipped articles, when searching, no query counts the full-text matches.
    search.search("退款多久到账", semantic=False)
    with CaptureQueriesContext(connection) as queries:
        hits = search.search("退款多久到账", semantic=False)
    assert hits
    sql = " ".join(q["sql"].lower() for q in queries.captured_queries)
    assert "count(" not in sql
    assert "knowledge_fts" not in sql
    assert "ts_rank" not in sql


def test_resident_bm25_equals_the_database_ranking():
    # Given the shipped articles, when a query's top 10 is ranked in process and by the
    # database (FTS5 bm25 / GIN candidates re-scored), then the same articles come first.
    for query in ("退款多久到账", "发票怎么开", "快递几天能到", "保修"):
        terms = lexicon.query_tokens(query)
        mine = search.lexical_scores(terms, limit=5)
        theirs = search.database_lexical_scores(terms, limit=5)
        assert list(mine)[:3] == list(theirs)[:3], query
        for pk, score in mine.items():
            if pk in theirs:
                assert score == pytest.approx(theirs[pk], abs=0.02)


def test_second_question_reads_no_vectors_and_an_edit_brings_the_new_vector(admin):
    # Given a first question (the process reads the published vectors once),
    resident.forget()
    search.nearest("退款多久到账", limit=3, public_only=True)
    # when a second question comes, then no article vector is read from the database,
    with CaptureQueriesContext(connection) as queries:
        hits = search.nearest("发票怎么开", limit=3, public_only=True)
    assert hits
    sql = " ".join(q["sql"].lower() for q in queries.captured_queries)
    assert "embedding" not in sql
    assert "knowledge_articleindex" not in sql
    # and when an article is edited (its vector recomputed after commit),
    article = Article.objects.get(key="refunds-how-long")
    actions.check_update_article(
        article,
        actor=admin,
        now=clock.now(),
        title="蓝牙耳机怎么配对",
        body="<p>长按电源键五秒，指示灯闪烁后在手机上选择耳机。</p>",
    )
    article.refresh_from_db()
    assert article.embedded_version != article.version
    # then the next question uses the new vector: it is embedded, and only that row is read again.
    with CaptureQueriesContext(connection) as queries:
        hits = search.nearest("蓝牙耳机配对", limit=1, public_only=True)
    assert [h.key for h in hits] == ["refunds-how-long"]
    article.refresh_from_db()
    assert article.embedded_version == article.version
    fresh = embed.unpack(article.embedding)
    copy = resident.current().copy
    assert np.allclose(copy.vectors[copy.slot_of[article.pk]], fresh)
    sql = [q["sql"] for q in queries.captured_queries if "a.embedding" in q["sql"]]
    assert sql
    assert all("IN (" in q for q in sql)


def test_rolled_back_rows_leave_the_copy():
    # Given the copy saw an article inside a transaction that was then rolled back,
    from django.db import transaction

    with transaction.atomic():
        ArticleFactory(key="s-ghost", title="幽灵文章鹦鹉螺", body="<p>鹦鹉螺。</p>")
        assert search.search("鹦鹉螺", semantic=False)
        transaction.set_rollback(True)
    # when searching again, then the rolled-back article is not found.
    assert search.search("鹦鹉螺", semantic=False) == []


def test_a_vector_stored_without_a_row_stamp_still_joins_the_matrix():
    # Given an article whose vector is missing when the process reads the rows,
    article = ArticleFactory(key="s-late", title="鹦鹉螺号潜水艇", body="<p>鹦鹉螺号潜水艇说明。</p>")
    Article.objects.filter(pk=article.pk).update(embedding=None, embedded_version=0)
    resident.forget()
    resident.current()
    # when another writer stores its vector directly (no new row stamp, as the install does),
    vec = embed.passage_vectors(["鹦鹉螺号潜水艇\n鹦鹉螺号潜水艇说明。"])[0]
    Article.objects.filter(pk=article.pk).update(embedding=embed.pack(vec), embedded_version=article.version)
    # then the next question finds it by meaning, and the copy no longer counts it as stale.
    assert [h.key for h in search.nearest("鹦鹉螺号潜水艇", limit=1)] == ["s-late"]
    assert article.pk not in resident.current().copy.stale
