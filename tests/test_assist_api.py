"""The REST API of agent assist and the FAQ bot: POST /api/v1/assist/lint, /assist/analyze, /bot/answer."""

from __future__ import annotations

import pytest

from kefu.accounts.actions import do_create_api_token
from kefu.core import clock
from kefu.core.models import AuditEvent

pytestmark = pytest.mark.django_db

ENDPOINTS = ["/api/v1/assist/lint", "/api/v1/assist/analyze", "/api/v1/bot/answer"]


@pytest.fixture
def headers(roles):
    _token, raw = do_create_api_token(roles["reception"], now=clock.now())
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def post(client, url, body, headers):
    return client.post(url, body, content_type="application/json", **headers)


def test_lint_returns_violations_with_spans(client, headers):
    # Given an agent's draft in Traditional characters with a forbidden phrase,
    text = "親，這種問題還要問嗎？"
    # when it is linted over the API,
    response = post(client, "/api/v1/assist/lint", {"text": text}, headers)
    # then the violation has its span, rule, severity, message and a polite suggestion.
    assert response.status_code == 200, response.content
    (violation,) = response.json()["violations"]
    assert text[violation["start"] : violation["end"]] == "這種問題還要問嗎"
    assert violation["rule"] == "arguing"
    assert violation["behaviour"]
    assert violation["severity"] == "error"
    assert violation["message"]
    assert violation["suggestion"]
    # and a polite draft has none.
    clean = post(client, "/api/v1/assist/lint", {"text": "我帮您查一下"}, headers)
    assert clean.json() == {"violations": []}


def test_analyze_returns_the_analysis_object(client, headers):
    response = post(client, "/api/v1/assist/analyze", {"text": "再不退款我就打12315投诉你们！！！"}, headers)
    assert response.status_code == 200, response.content
    data = response.json()
    assert set(data) == {"emotion", "score", "urgent", "cues", "intent", "script", "source"}
    assert data["emotion"] == "angry"
    assert data["urgent"] is True
    assert "12315" in data["cues"]


def test_bot_answer_from_a_public_article_with_its_follow_up(client, headers):
    # Given the default public articles (installed on migrate),
    # when a customer asks when their order ships,
    response = post(client, "/api/v1/bot/answer", {"text": "拍下以后什么时候发货呀", "lang": "zh-hans"}, headers)
    # then the bot answers from the shipping article, includes its follow-up fact (R17), says it is an
    # assistant and offers a person.
    assert response.status_code == 200, response.content
    data = response.json()
    assert set(data) == {"answer", "article_id", "confidence", "handoff", "intent"}
    assert data["handoff"] is False
    assert data["article_id"] is not None
    assert "3–5 天" in data["answer"]
    assert "人工" in data["answer"]
    assert 0 < data["confidence"] <= 1


def test_bot_answers_a_zh_hant_reader_in_traditional(client, headers):
    response = post(client, "/api/v1/bot/answer", {"text": "退款幾天到帳", "lang": "zh-hant"}, headers)
    data = response.json()
    assert data["handoff"] is False
    assert "退款" in data["answer"]
    assert "帳" in data["answer"] or "賬" in data["answer"]
    assert "到账" not in data["answer"]


@pytest.mark.parametrize("text", ["转人工", "轉人工", "我要找真人客服", "人工客服"])
def test_bot_hands_over_when_asked_for_a_person(client, headers, text):
    data = post(client, "/api/v1/bot/answer", {"text": text}, headers).json()
    assert data["handoff"] is True
    assert data["intent"] == "human"


def test_bot_hands_over_an_angry_customer(client, headers):
    data = post(client, "/api/v1/bot/answer", {"text": "你们这帮骗子，我要去消协投诉！！！"}, headers).json()
    assert data["handoff"] is True


@pytest.mark.parametrize("url", ENDPOINTS)
@pytest.mark.parametrize(
    ("body", "why"),
    [
        ("{not json", "broken JSON"),
        ("{}", "missing text"),
        ('{"text": 42}', "text not a string"),
        ('{"text": "   "}', "blank text"),
        ('{"text": "' + "好" * 5001 + '"}', "oversized text"),
    ],
)
def test_bad_input_is_400_and_changes_nothing(client, headers, url, body, why):
    # Given a bad request body, when posted, then 400 with an error code, and nothing is written.
    before = AuditEvent.objects.count()
    response = client.post(url, body, content_type="application/json", **headers)
    assert response.status_code == 400, (why, response.content)
    body = response.json()
    assert body.get("error") or body.get("detail")  # django-ninja answers a body it cannot parse with "detail"
    assert AuditEvent.objects.count() == before


def test_bot_answer_refuses_an_unknown_language(client, headers):
    response = post(client, "/api/v1/bot/answer", {"text": "你好", "lang": "fr"}, headers)
    assert response.status_code == 400


@pytest.mark.parametrize("url", ENDPOINTS)
def test_authentication_is_required(client, url):
    assert post(client, url, {"text": "你好"}, {}).status_code == 401
