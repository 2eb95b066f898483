"""The import contract (docs/adr/0010-import-contract.md): ``web`` on top, the domain apps in the
middle, ``core`` at the bottom.

Read from the source with ``ast`` (every ``import`` and ``from … import``, at module level or inside
a function — a lazy import is still a dependency), so nothing has to be imported to check it:

* ``core``'s library modules import no other part of kefu (its management commands are edges);
* no domain app imports the edges on top: ``kefu.web``, ``kefu.config``, ``kefu.demo``;
* every exception is listed in ``ALLOWED`` with its reason, and every listed exception still
  exists (a stale entry fails too, so the list stays the truth the ADR cites).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "kefu"

# The edges: they may import anything; nothing below them may import them.
EDGES = {"web", "config", "demo"}
# Modules of core that are edges themselves (the ``kefu`` command's subcommands).
CORE_EDGE_PREFIXES = ("core/management/",)

# (importing file relative to src/kefu, imported module) → why it is allowed.
# Keep in step with docs/adr/0010-import-contract.md.
ALLOWED: dict[tuple[str, str], str] = {}


def _imports(path: Path) -> Iterator[tuple[int, str]]:
    """Every absolute ``kefu.…`` module a file imports, with its line."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:  # relative imports stay inside their package
                continue
            if node.module and (node.module == "kefu" or node.module.startswith("kefu.")):
                if node.module == "kefu":  # ``from kefu import x``: x may be a subpackage
                    for alias in node.names:
                        yield node.lineno, f"kefu.{alias.name}"
                else:
                    yield node.lineno, node.module
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("kefu."):
                    yield node.lineno, alias.name


def _package(module: str) -> str:
    """``kefu.tickets.models`` → ``tickets``; ``kefu.__version__`` → ``""`` (the top package)."""
    parts = module.split(".")
    if len(parts) < 2 or not (SRC / parts[1]).is_dir():
        return ""
    return parts[1]


def _violations() -> list[tuple[str, str, int, str]]:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if "/" not in rel or rel.startswith(("var/", "locale/")):
            continue
        app = rel.split("/", 1)[0]
        if app in EDGES:
            continue
        for line, module in _imports(path):
            target = _package(module)
            if not target or target == app:
                continue
            if app == "core":
                if rel.startswith(CORE_EDGE_PREFIXES):
                    continue
                found.append((rel, module, line, "core imports no other part of kefu"))
            elif target in EDGES:
                found.append((rel, module, line, f"a domain app imports no edge (kefu.{target})"))
    return found


def test_the_graph_is_read() -> None:
    """The walk sees the imports it is meant to judge (guards against a walk that reads nothing)."""
    tickets_views = {m for _, m in _imports(SRC / "tickets" / "views.py")}
    assert "kefu.core.pages" in tickets_views
    web_urls = {_package(m) for _, m in _imports(SRC / "web" / "urls.py")}
    assert "web" in web_urls
    assert _package("kefu.__version__") == ""


def test_core_imports_no_domain_app_and_no_domain_app_imports_an_edge() -> None:
    unexpected = [v for v in _violations() if (v[0], v[1]) not in ALLOWED]
    assert not unexpected, (
        "imports that break the contract (docs/adr/0010-import-contract.md):\n"
        + "\n".join(f"  src/kefu/{rel}:{line} imports {module} — {why}" for rel, module, line, why in unexpected)
        + (
            "\nDomain apps use kefu.core.pages (attempt, back, need), kefu.core.api_auth (needs) and "
            "kefu.core.api_docs (ErrorOut, body_doc); core registers what it needs from an app's ready()."
        )
    )


def test_every_listed_exception_still_exists() -> None:
    present = {(v[0], v[1]) for v in _violations()}
    stale = sorted(set(ALLOWED) - present)
    assert not stale, f"listed exceptions that no longer exist (remove them here and in the ADR): {stale}"


@pytest.mark.parametrize("edge", sorted(EDGES))
def test_the_edges_exist(edge: str) -> None:
    assert (SRC / edge).is_dir()


def _is_permission_guard(fn: ast.FunctionDef) -> bool:
    """A function whose whole body is ``if not has_perm(...): raise …`` (a docstring aside)."""
    body = [s for s in fn.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    if len(body) != 1 or not isinstance(body[0], ast.If) or body[0].orelse:
        return False
    test = body[0].test
    called = test.operand.func if isinstance(test, ast.UnaryOp) and isinstance(test.operand, ast.Call) else None
    name = called.id if isinstance(called, ast.Name) else getattr(called, "attr", "")
    return name == "has_perm" and all(isinstance(s, ast.Raise) for s in body[0].body)


def test_one_page_permission_helper() -> None:
    """Pages check their permission with kefu.core.pages.need; no app keeps its own copy (core's
    own checks — need, and actions.require for the action layer — are the originals)."""
    copies = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if rel.startswith("core/"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        copies += [
            f"src/kefu/{rel}:{node.lineno} {node.name}"
            for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef) and _is_permission_guard(node)
        ]
    assert not copies, "use kefu.core.pages.need instead of a copy: " + ", ".join(copies)


def test_the_guard_pattern_is_recognised() -> None:
    """The pattern matches the copies this test replaced (so the check above can fail)."""
    copy = ast.parse(
        "def _need(request, perm):\n    if not has_perm(request.user, perm):\n        raise Http404\n"
    ).body[0]
    assert isinstance(copy, ast.FunctionDef)
    assert _is_permission_guard(copy)
