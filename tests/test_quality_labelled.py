"""The labelled set: conversations written for kefu with a supervisor's verdict per rule; the
engine's agreement with the labels is printed rule by rule and must stay high."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from importlib import resources

import pytest

from kefu.quality.rules import RULES, Msg, Transcript

pytestmark = pytest.mark.django_db

AUTHOR = {"c": "customer", "a": "agent", "b": "bot", "s": "system"}
STATUS = {"P": "pass", "F": "fail", "N": "n/a"}
START = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def labelled() -> dict:
    return json.loads(resources.files("kefu.quality").joinpath("data/labelled.json").read_text(encoding="utf-8"))


def transcript_of(item: dict) -> Transcript:
    return Transcript(
        channel=item["channel"],
        messages=[Msg(AUTHOR[a], text, START + timedelta(seconds=s)) for a, s, text in item["messages"]],
    )


def test_the_labelled_set_is_big_enough_and_uses_both_scripts():
    data = labelled()
    # Given the set, then it has at least 40 conversations, some in Traditional characters,
    assert len(data["conversations"]) >= 40
    assert sum(1 for c in data["conversations"] if c["id"].startswith("hant-")) >= 8
    # and every conversation carries one label per shipped rule.
    assert data["rules"] == list(RULES)
    assert all(len(c["labels"]) == len(RULES) and set(c["labels"]) <= set(STATUS) for c in data["conversations"])


def test_rule_by_rule_agreement_with_the_labels(capsys):
    data = labelled()
    agree = dict.fromkeys(data["rules"], 0)
    misses: list[str] = []
    # Given each labelled conversation, when every rule judges it,
    for item in data["conversations"]:
        t = transcript_of(item)
        for rule_id, letter in zip(data["rules"], item["labels"], strict=True):
            got = RULES[rule_id].check(t).status
            if got == STATUS[letter]:
                agree[rule_id] += 1
            else:
                misses.append(f"{item['id']}: {rule_id} labelled {STATUS[letter]}, engine {got}")
    n = len(data["conversations"])
    # then the agreement is printed rule by rule,
    with capsys.disabled():
        print(f"\nquality rules vs labels ({n} conversations)")  # noqa: T201 - the test reports the agreement
        for rule_id, count in agree.items():
            print(f"  {rule_id:<20} {count}/{n} = {count / n:.0%}")  # noqa: T201 - the test reports the agreement
        for miss in misses:
            print("  miss:", miss)  # noqa: T201 - the test reports the agreement
    # and each rule agrees with the supervisor on at least 90 % of them (overall 95 %).
    assert all(count / n >= 0.9 for count in agree.values()), misses
    assert sum(agree.values()) / (n * len(agree)) >= 0.95, misses
