"""Workspace knowledge pages, the help center, feedback, attachments and versions."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kefu.core import clock
from kefu.knowledge import actions
from kefu.knowledge.models import Article, ArticleFeedback, SearchWord

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_agent_searches_the_knowledge_base(client, roles):
    # Given a reception agent, when searching the workspace knowledge list for 发票,
    client.force_login(roles["reception"])
    response = client.get("/kb/", {"q": "發票"})
    # then the invoice article is listed with a highlighted snippet, and there is no editor link.
    assert response.status_code == 200
    html = response.content.decode()
    assert "怎么开发票？" in html
    assert "<mark>" in html
    assert "/kb/new/" not in html
    # and an over-long query is refused with a message instead of a search.
    assert "200" in client.get("/kb/", {"q": "退" * 201}).content.decode()


def test_editor_is_for_supervisors_only(client, roles):
    # Given a reception agent, when opening the editor or posting an article, then 403.
    client.force_login(roles["reception"])
    assert client.get("/kb/new/").status_code == 403
    assert client.post("/kb/new/", {"title": "x", "body": "y", "category": "other"}).status_code == 403
    # Given a supervisor, when saving an article with hostile HTML, then it is stored sanitised.
    client.force_login(roles["supervisor"])
    response = client.post(
        "/kb/new/",
        {
            "title": "新品上市",
            "body": '<p>新品<img src=x onerror="alert(1)"></p>',
            "category": "other",
            "status": "published",
            "is_public": "on",
        },
    )
    article = Article.objects.get(title="新品上市")
    assert response.status_code == 302
    assert "onerror" not in article.body
    # and an empty title is refused with 400 and the form again.
    assert client.post("/kb/new/", {"title": "", "body": "<p>x</p>", "category": "other"}).status_code == 400


def test_versions_are_kept_and_restored(client, roles):
    supervisor = roles["supervisor"]
    article = Article.objects.get(key="refunds-how-long")
    old_title = article.title
    # Given an edit of a shipped article,
    actions.check_update_article(article, actor=supervisor, now=clock.now(), title="退款到账时间")
    article.refresh_from_db()
    assert article.version == 2
    # when the supervisor restores version 1 from its page,
    client.force_login(supervisor)
    assert old_title in client.get(f"/kb/{article.pk}/versions/1/").content.decode()
    client.post(f"/kb/{article.pk}/versions/1/")
    # then the old title is back (as version 3) and both earlier states are kept.
    article.refresh_from_db()
    assert (article.title, article.version) == (old_title, 3)
    assert list(article.versions.values_list("number", flat=True)) == [2, 1]


def test_attachments_accept_images_and_refuse_other_files(client, roles, settings):
    settings.KEFU_MAX_UPLOAD_BYTES = 1024
    article = Article.objects.get(key="installation-guide")
    client.force_login(roles["supervisor"])
    # Given an image, when uploaded to an article, then it is attached and downloadable publicly.
    client.post(f"/kb/{article.pk}/attachments/", {"file": SimpleUploadedFile("wiring.png", PNG, "image/png")})
    [attachment] = article.attachments.all()
    client.logout()
    download = client.get(f"/kb/attachments/{attachment.pk}/")
    assert (download.status_code, b"".join(download.streaming_content)) == (200, PNG)  # consuming closes the file
    # Given a program named like an image, an oversized file and a script, then each is refused.
    client.force_login(roles["supervisor"])
    for bad in (
        SimpleUploadedFile("fake.png", b"MZ\x90\x00" + b"\xff" * 40, "image/png"),
        SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * 2000, "application/pdf"),
        SimpleUploadedFile("run.sh", b"#!/bin/sh\nrm -rf /\n", "text/x-sh"),
    ):
        response = client.post(f"/kb/{article.pk}/attachments/", {"file": bad}, follow=True)
        assert response.status_code == 200
    assert article.attachments.count() == 1
    # and an agent without the permission cannot attach at all.
    client.force_login(roles["reception"])
    client.post(f"/kb/{article.pk}/attachments/", {"file": SimpleUploadedFile("a.png", PNG, "image/png")})
    assert article.attachments.count() == 1


def test_help_center_search_in_both_scripts(client):
    # Given an anonymous visitor, when searching 發票 in the Traditional help center,
    response = client.get("/help/", {"q": "發票", "lang": "zh-hant"})
    html = response.content.decode()
    # then the invoice article is found and shown in Traditional characters.
    assert response.status_code == 200
    assert "怎麼開發票？" in html
    assert "<mark>發票</mark>" in html
    # The language sticks (cookie); the Simplified switch shows Simplified again.
    assert "繁體" in client.get("/help/").content.decode()
    assert "怎么开发票？" in client.get("/help/", {"q": "发票", "lang": "zh-hans"}).content.decode()
    # Internal articles never show up in the help center, nor open.
    assert "投诉升级" not in client.get("/help/", {"q": "投诉"}).content.decode()
    assert client.get("/help/a/contact-internal-escalation/").status_code == 404
    # A question sharing no word with any article gets the nearest articles by meaning.
    html = client.get("/help/", {"q": "钱什么时候能回到我的账户", "lang": "zh-hans"}).content.decode()
    assert 'id="hc-suggestions"' in html
    assert "退款多久到账？" in html
    # An over-long query is a 400 with a message.
    assert client.get("/help/", {"q": "退" * 201}).status_code == 400


def test_was_this_helpful_one_vote_per_visitor(client, roles):
    article = Article.objects.get(key="returns-seven-day")
    # Given a visitor who opened the article (and got a visitor cookie),
    assert client.get("/help/a/returns-seven-day/").status_code == 200
    # when they vote yes, then no with a comment,
    client.post("/help/a/returns-seven-day/feedback/", {"helpful": "yes"})
    response = client.post("/help/a/returns-seven-day/feedback/", {"helpful": "no", "comment": "没写运费"})
    # then one vote counts, the latest; agents see the counts and the comment.
    assert response.status_code == 302
    [vote] = ArticleFeedback.objects.filter(article=article)
    assert (vote.helpful, vote.comment) == (False, "没写运费")
    client.force_login(roles["reception"])
    html = client.get(f"/kb/{article.pk}/").content.decode()
    assert 'data-helpful-no="1"' in html
    assert "没写运费" in html


def test_feedback_without_cookie_or_with_long_comment_is_refused(client):
    article = Article.objects.get(key="returns-seven-day")
    # Given no visitor cookie, a vote is refused; given a 501-character comment, too.
    assert client.post("/help/a/returns-seven-day/feedback/", {"helpful": "yes"}).status_code == 400
    client.get("/help/a/returns-seven-day/")
    assert (
        client.post("/help/a/returns-seven-day/feedback/", {"helpful": "yes", "comment": "x" * 501}).status_code == 400
    )
    assert not ArticleFeedback.objects.filter(article=article).exists()


def test_lexicon_page_is_for_administrators(client, roles):
    # Given a supervisor, the page shows the synonym groups but no forms; a POST changes nothing.
    client.force_login(roles["supervisor"])
    assert "快递=物流=包裹" in client.get("/kb/lexicon/").content.decode()
    client.post("/kb/lexicon/", {"op": "add_word", "word": "光猫"})
    assert not SearchWord.objects.exists()
    # Given an administrator, adding a word works; a reception agent cannot open the page.
    client.force_login(roles["admin"])
    client.post("/kb/lexicon/", {"op": "add_word", "word": "光猫"})
    assert SearchWord.objects.filter(word="光猫").exists()
    client.force_login(roles["reception"])
    assert client.get("/kb/lexicon/").status_code == 403
