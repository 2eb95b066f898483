"""The documentation stays true: the state-machine tables, the settings and the quick start
that the docs show are checked against the code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kefu.conversations.transitions import conversation_machine
from kefu.tickets.transitions import ticket_machine

ROOT = Path(__file__).resolve().parent.parent
ENV_MODULE = ROOT / "src" / "kefu" / "config" / "env.py"
KEFU_VARIABLE = re.compile(r'"(KEFU_[A-Z_]+)"')


def _read(relative: str) -> str:
    return (ROOT / relative).read_text(encoding="utf-8")


def _env_variables() -> list[str]:
    return sorted(set(KEFU_VARIABLE.findall(ENV_MODULE.read_text(encoding="utf-8"))))


@pytest.mark.parametrize("machine", [conversation_machine, ticket_machine], ids=lambda m: m.name)
def test_state_machine_tables_are_rendered_verbatim(machine):
    # Given the transition table of a state machine in the code,
    table = machine.as_markdown()
    # when the state-machines page is read,
    page = _read("docs/state-machines.md")
    # then it contains the table exactly as StateMachine.as_markdown() renders it.
    assert table in page, (
        f"docs/state-machines.md is out of date for the {machine.name} machine; paste this table:\n{table}"
    )


def test_env_module_reads_kefu_variables():
    # Given the settings module, when its variable names are collected, then there are some
    # (so the checks below cannot pass vacuously).
    assert "KEFU_DATABASE_URL" in _env_variables()
    assert "KEFU_REDIS_URL" in _env_variables()


@pytest.mark.parametrize("document", [".env.example", "README.md"])
def test_every_setting_is_documented(document):
    # Given every KEFU_ variable that src/kefu/config/env.py reads,
    variables = _env_variables()
    # when the document is read,
    text = _read(document)
    # then each variable is named in it.
    missing = [name for name in variables if not re.search(rf"\b{name}\b", text)]
    assert not missing, f"{document} does not mention {', '.join(missing)}"


def test_env_example_sets_nothing():
    # Given .env.example, when its lines are read, then every setting is commented out, so copying
    # it to .env changes no default.
    active = [line for line in _read(".env.example").splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert active == []


def test_readme_quick_start_names_the_two_commands():
    # Given the README, when the quick start is read, then it names `make serve` and `make test`.
    readme = _read("README.md")
    assert "make serve" in readme
    assert "make test" in readme


def test_makefile_has_the_commands_the_readme_names():
    # Given the Makefile, when its targets are read, then serve and test exist.
    makefile = _read("Makefile")
    assert re.search(r"^serve:", makefile, re.MULTILINE)
    assert re.search(r"^test:", makefile, re.MULTILINE)
