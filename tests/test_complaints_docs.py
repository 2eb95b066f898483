"""The complaint and quality docs stay true to the code."""

from __future__ import annotations

from pathlib import Path

from kefu.complaints.transitions import complaint_machine
from kefu.quality.rules import RULES

ROOT = Path(__file__).resolve().parent.parent


def test_the_complaint_machine_table_is_in_the_docs():
    # Given the complaint machine's table, when the docs are read, then both pages show it verbatim.
    table = complaint_machine.as_markdown()
    for page in ("docs/state-machines.md", "docs/complaints.md"):
        assert table in (ROOT / page).read_text(encoding="utf-8"), f"{page} is out of date; paste:\n{table}"


def test_every_shipped_rule_is_documented_with_its_weight():
    # Given the shipped scorecard rules, when docs/quality.md is read, then each has its row and weight.
    page = (ROOT / "docs/quality.md").read_text(encoding="utf-8")
    for rule in RULES.values():
        assert f"| `{rule.id}` | {rule.weight} |" in page
