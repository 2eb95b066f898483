"""Quality inspection end to end: the inspect API, the sweeper over closed conversations, the
scorecard's switches, appeals, sampling for a manual review, and the pages."""

from __future__ import annotations

import pytest

from kefu.accounts.actions import do_create_api_token
from kefu.core import clock
from kefu.core.errors import Conflict, PermissionDenied
from kefu.quality.actions import (
    check_appeal,
    check_decide_appeal,
    check_review,
    check_sample,
    default_scorecard,
    inspect_closed,
)
from kefu.quality.models import Check, Inspection
from tests.factories_complaints import transcript

pytestmark = pytest.mark.django_db

MESSAGES = [
    {"author": "customer", "text": "你好，我的快递到哪了？", "at": "2026-03-02T10:00:00+08:00"},
    {"author": "agent", "text": "不知道，你自己查吧。", "at": "2026-03-02T10:00:40+08:00"},
]


def _post(client, user, body):
    _t, raw = do_create_api_token(user, now=clock.now())
    return client.post(
        "/api/v1/quality/inspect", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )


def test_inspect_api_scores_a_transcript_without_storing_it(client, roles):
    # Given a chat where the agent greets late and says 不知道,
    response = _post(client, roles["reception"], {"channel": "web_chat", "messages": MESSAGES})
    # then the answer is a score and one check per rule, with the failing message pointed at,
    assert response.status_code == 200, response.content
    data = response.json()
    checks = {c["rule"]: c for c in data["checks"]}
    assert set(checks) >= {
        "greet_in_time",
        "reply_in_time",
        "no_forbidden",
        "soothe_first",
        "all_answered",
        "thanks_at_end",
        "not_first_to_close",
    }
    assert checks["greet_in_time"]["status"] == "fail"
    assert checks["no_forbidden"]["status"] == "fail"
    assert checks["no_forbidden"]["message_index"] == 1
    assert checks["soothe_first"]["status"] == "n/a"
    assert 0 <= data["score"] < 60
    # and nothing is stored.
    assert not Inspection.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"channel": "pigeon", "messages": MESSAGES},
        {"channel": "web_chat", "messages": []},
        {"channel": "web_chat", "messages": "hello"},
        {"channel": "web_chat", "messages": [{"author": "boss", "text": "x", "at": "2026-03-02T10:00:00+08:00"}]},
        {"channel": "web_chat", "messages": [{"author": "agent", "text": 5}]},
        {"channel": "web_chat", "messages": [{"author": "agent", "text": "x", "at": "yesterday"}]},
        {"channel": "web_chat", "messages": [{"author": "agent", "text": "x", "at": "2026-03-02T10:00:00"}]},
    ],
)
def test_inspect_api_refuses_malformed_transcripts(client, roles, body):
    response = _post(client, roles["reception"], body)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid"


def test_the_sweeper_inspects_each_closed_conversation_once(roles):
    agent = roles["reception"]
    # Given a closed chat, an email thread and an open chat,
    chat = transcript(
        [("customer", 0, "你好"), ("agent", 5, "您好"), ("customer", 10, "有货吗"), ("agent", 15, "有的，感谢您")],
        agent=agent,
    )
    mail = transcript(
        [("customer", 0, "您好，请问保修几年"), ("agent", 3600, "三年，感谢您的来信")], kind="email", agent=agent
    )
    transcript([("customer", 0, "在吗")], agent=agent, status="open")
    # when the sweeper runs twice,
    assert inspect_closed(clock.now(), budget_seconds=3600) == 2
    assert inspect_closed(clock.now(), budget_seconds=3600) == 0
    # then each closed conversation has one automatic inspection, credited to its agent,
    assert Inspection.objects.count() == 2
    inspection = Inspection.objects.get(conversation=chat)
    assert inspection.agent == agent
    assert inspection.score == 100
    # and the email's timing rules do not apply.
    mail_checks = dict(Check.objects.filter(inspection__conversation=mail).values_list("rule", "status"))
    assert mail_checks["greet_in_time"] == "n/a"
    assert mail_checks["reply_in_time"] == "n/a"


def test_a_rule_switched_off_in_the_scorecard_is_not_checked(roles):
    card = default_scorecard()
    card.rules = {"thanks_at_end": {"enabled": False}, "no_forbidden": {"weight": 50}}
    card.save()
    transcript([("customer", 0, "你好"), ("agent", 5, "您好")], agent=roles["reception"])
    inspect_closed(clock.now(), budget_seconds=3600)
    checks = dict(Check.objects.values_list("rule", "weight"))
    assert "thanks_at_end" not in checks
    assert checks["no_forbidden"] == 50


def test_an_agent_appeals_a_finding_and_a_supervisor_accepts_it(roles):
    agent = roles["reception"]
    transcript(
        [("customer", 0, "你好"), ("agent", 5, "您好"), ("customer", 10, "有货吗"), ("agent", 15, "有的")], agent=agent
    )
    inspect_closed(clock.now(), budget_seconds=3600)
    failed = Check.objects.get(rule="thanks_at_end")
    assert failed.status == "fail"
    before = failed.inspection.score
    # Given a failed check, a colleague may not appeal it, the agent may, once,
    with pytest.raises(PermissionDenied):
        check_appeal(failed, "x", actor=roles["sales"])
    check_appeal(failed, "客户已经下线了，来不及感谢", actor=agent)
    with pytest.raises(Conflict):
        check_appeal(failed, "again", actor=agent)
    # and when the supervisor accepts, the check passes and the score rises.
    with pytest.raises(PermissionDenied):
        check_decide_appeal(failed, actor=agent, accept=True)
    check_decide_appeal(failed, actor=roles["supervisor"], accept=True, note="合理")
    failed.refresh_from_db()
    assert failed.status == "pass"
    assert failed.inspection.score > before


def test_supervisor_samples_and_reviews_with_the_same_scorecard(roles):
    for n in range(3):
        transcript([("customer", 0, f"问题{n}"), ("agent", 5, "您好，感谢您")], agent=roles["reception"])
    inspect_closed(clock.now(), budget_seconds=3600)
    # Given inspected conversations, agents may not sample; a supervisor samples two,
    with pytest.raises(PermissionDenied):
        check_sample(actor=roles["reception"], size=2)
    sampled = check_sample(actor=roles["supervisor"], size=2, seed=1)
    assert len(sampled) == 2
    manual = sampled[0]
    assert manual.kind == "manual"
    assert manual.score is None
    assert set(manual.checks.values_list("rule", flat=True)) == set(
        Check.objects.filter(inspection__kind="auto", inspection__conversation=manual.conversation).values_list(
            "rule", flat=True
        )
    )
    # when the supervisor fails the thanks and saves the review, then the score follows.
    check_review(manual, {"thanks_at_end": "fail", "no_forbidden": "pass"}, actor=roles["supervisor"])
    manual.refresh_from_db()
    assert manual.score is not None
    assert manual.score < 100


def test_the_agent_page_shows_their_findings_and_the_supervisor_page_the_team(client, roles):
    agent = roles["reception"]
    transcript([("customer", 0, "你好"), ("agent", 40, "不知道")], agent=agent)
    inspect_closed(clock.now(), budget_seconds=3600)
    client.force_login(agent)
    page = client.get("/quality/").content.decode()
    # Given an inspected chat, the agent's page lists it with its failures,
    assert "Greet within 15 s" in page or "15" in page
    inspection = Inspection.objects.get()
    detail = client.get(f"/quality/inspections/{inspection.pk}/")
    assert detail.status_code == 200
    assert "不知道" in detail.content.decode()
    # the team page is for supervisors only,
    assert client.get("/quality/team/").status_code == 403
    client.force_login(roles["supervisor"])
    team = client.get("/quality/team/")
    assert team.status_code == 200
    assert agent.username in team.content.decode() or str(agent) in team.content.decode()
    # and the conversations behind a failure count are one click away.
    listed = client.get("/quality/inspections/?rule=no_forbidden")
    assert f"#{inspection.conversation_id}" in listed.content.decode()


def test_the_sweeper_stops_at_its_time_budget_and_carries_on_next_time(roles):
    # Given three closed chats,
    for n in range(3):
        transcript([("customer", 0, f"问题{n}"), ("agent", 5, "您好，感谢您")], agent=roles["reception"])
    # when the sweeper has no time left after each batch (of one here), then each sweep does one batch,
    assert inspect_closed(clock.now(), batch=1, budget_seconds=0) == 1
    assert inspect_closed(clock.now(), batch=1, budget_seconds=0) == 1
    assert inspect_closed(clock.now(), batch=1, budget_seconds=0) == 1
    # and nothing is left for the fourth.
    assert inspect_closed(clock.now(), batch=1, budget_seconds=0) == 0
