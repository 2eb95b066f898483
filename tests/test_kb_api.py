"""The knowledge REST API: search and article creation, with permissions and bad input."""

from __future__ import annotations

import json

import pytest

from kefu.accounts.actions import do_create_api_token
from kefu.core import clock
from kefu.knowledge.models import Article

pytestmark = pytest.mark.django_db


@pytest.fixture
def bearer(roles):
    def make(role: str) -> dict[str, str]:
        _token, raw = do_create_api_token(roles[role], now=clock.now())
        return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    return make


def post(client, headers, payload):
    return client.post("/api/v1/kb/articles", json.dumps(payload), content_type="application/json", **headers)


def test_search_returns_hits_of_the_shipped_articles(client, bearer):
    # Given the articles a fresh install ships, when an agent searches 退款 in Traditional,
    response = client.get("/api/v1/kb/search", {"q": "退款多久到賬", "limit": 3}, **bearer("reception"))
    # then the refund article comes first, with an id, a title, a highlighted snippet and a score.
    assert response.status_code == 200
    hits = response.json()["hits"]
    assert hits[0]["key"] == "refunds-how-long"
    assert set(hits[0]) == {"id", "key", "title", "snippet", "score"}
    assert "<mark>" in hits[0]["snippet"]
    assert len(hits) <= 3


@pytest.mark.parametrize("query", [{"q": ""}, {"q": "   "}, {"q": "退" * 201}, {"q": "退款", "limit": 0}])
def test_empty_or_oversized_query_is_400(client, bearer, query):
    # Given a bad query, when searching, then the answer is 400 with a message.
    response = client.get("/api/v1/kb/search", query, **bearer("reception"))
    assert response.status_code == 400
    assert response.json()["error"] == "invalid"


def test_create_article_sanitises_and_is_searchable(client, bearer):
    # Given a supervisor, when an article with hostile HTML is posted,
    response = post(
        client,
        bearer("supervisor"),
        {
            "title": "以旧换新活动",
            "body": '<p onmouseover="x()">旧设备折价</p><script>alert(1)</script>',
            "category": "other",
            "public": True,
        },
    )
    # then it is created (201), sanitised, published, and the search finds it.
    assert response.status_code == 201
    data = response.json()
    assert data["body"] == "<p>旧设备折价</p>"
    assert data["status"] == "published"
    hits = client.get("/api/v1/kb/search", {"q": "以旧换新"}, **bearer("reception")).json()["hits"]
    assert hits[0]["id"] == data["id"]


def test_create_article_refuses_agents_and_bad_input(client, bearer):
    count = Article.objects.count()
    # Given a reception agent, when posting an article, then 403.
    good = {"title": "标题", "body": "<p>正文</p>", "category": "other", "public": True}
    assert post(client, bearer("reception"), good).status_code == 403
    # Given a supervisor, when the title is empty, the category unknown, the body only a script
    # or missing, then 400 and nothing is created.
    for bad in (
        {**good, "title": " "},
        {**good, "category": "nonsense"},
        {**good, "body": "<script>alert(1)</script>"},
        {"title": "x", "category": "other"},
    ):
        response = post(client, bearer("supervisor"), bad)
        assert response.status_code == 400, bad
    assert Article.objects.count() == count
    # and without a token, 401.
    assert post(client, {}, good).status_code == 401
