"""The labelled conversations and the rules' agreement with them, per data role.

* ``dev`` (``data/labelled_dev.json``, 44 conversations): the rules were written and tuned against
  it; its agreement is a dev figure.
* ``test`` (``data/labelled_test.json``, 57 conversations): written from the documented standards and
  committed (frozen) before anything was tuned; looked at only to report.

A transcript here is not stored, so its customer messages are analysed the way the analysis process
analyses a stored message (:func:`kefu.quality.engine.with_analysis`) before the rules read it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any

from kefu.quality import engine
from kefu.quality.rules import RULES, Msg, Run, Transcript

ROLES = {"dev": "data/labelled_dev.json", "test": "data/labelled_test.json"}
AUTHOR = {"c": "customer", "a": "agent", "b": "bot", "s": "system"}
STATUS = {"P": "pass", "F": "fail", "N": "n/a"}
START = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def load(role: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(resources.files("kefu.quality").joinpath(ROLES[role]).read_text(encoding="utf-8"))
    return data


def transcript_of(item: dict[str, Any], run: Run | None = None) -> Transcript:
    return Transcript(
        channel=item["channel"],
        messages=[Msg(AUTHOR[a], text, START + timedelta(seconds=s)) for a, s, text in item["messages"]],
        run=run or Run(),
    )


@dataclass
class Agreement:
    role: str
    n: int
    agree: dict[str, int]
    misses: list[str] = field(default_factory=list)

    def share(self, rule: str) -> float:
        return self.agree[rule] / self.n

    def overall(self) -> float:
        return sum(self.agree.values()) / (self.n * len(self.agree))

    def report(self) -> str:
        lines = [f"quality rules vs labels — {self.role.upper()} set ({self.n} conversations)"]
        lines += [f"  {rule:<20} {count}/{self.n} = {count / self.n:.1%}" for rule, count in self.agree.items()]
        lines.append(f"  {'overall':<20} {self.overall():.1%}")
        lines += [f"  miss: {miss}" for miss in self.misses]
        return "\n".join(lines)


def agreement(role: str) -> Agreement:
    """How often each rule's verdict equals the supervisor's label on the ``role`` set."""
    data = load(role)
    rules = data["rules"]
    agree = dict.fromkeys(rules, 0)
    misses: list[str] = []
    run = Run()
    for item in data["conversations"]:
        t = engine.with_analysis(transcript_of(item, run))
        for rule_id, letter in zip(rules, item["labels"], strict=True):
            got = RULES[rule_id].check(t).status
            if got == STATUS[letter]:
                agree[rule_id] += 1
            else:
                misses.append(f"{item['id']}: {rule_id} labelled {STATUS[letter]}, engine {got}")
    return Agreement(role=role, n=len(data["conversations"]), agree=agree, misses=misses)
