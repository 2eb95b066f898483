"""The crawler: every URL pattern of the project, requested with real demo ids and with hostile
values (path, query string, form and JSON body), as an agent, a supervisor and anonymously.
Whatever comes back, it is never a 5xx (issue 20, "one input layer").

It runs in CI with the rest of the suite; about 165 patterns × a few requests × 3 users.
"""

from __future__ import annotations

import inspect
import json
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

# Query and form names the views read (collected from request.GET/POST.get("…") across src/kefu).
_NAMES = (
    "about_staff accept agent all amount appeal appointment_at assignee body business calendar carrier_kind "
    "category channel choice client_id comment conversation courier customer customer_name customer_phone days "
    "decision description edit event follow_up green_channel helpful hours how id ids internal is_active is_public "
    "kind lang language macro minutes name next note op order order_line original_packaging other owner page pair "
    "pauses payment presence q query quick reason rule shared shop show side size source source_id start state "
    "status subject tag tags team text ticket title token unused view voted word words year month date since until "
    "after before from to limit offset snooze_until due_at weight province quantity unit_price price product "
    "products tier"
)
NAMES = _NAMES.split()
BIG = "99999999999999999999999"
# Each name gets every value of ROTATION across the rotated requests (value i+k for name i).
ROTATION = (
    "99999999999",
    "2026-02-30",
    "2026-02-01T25:00",
    "9999-12-31T23:59:59-14:00",
    "0001-01-01T00:00+14:00",
    "1e30",
    "NaN",
    "-1",
    "%ED%A0%80",  # a lone surrogate, as UTF-8 bytes (sent raw, not encoded again)
    "x" * 300,
)
HOSTILE_PATH = ("²", BIG, "%00", "x" * 3000)
NESTED = "[" * 5000 + "]" * 5000


def _patterns() -> list[tuple[str, Any]]:
    """``(route, view)`` for every URL pattern of the project but Django's admin."""
    found: list[tuple[str, Any]] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for p in patterns:
            route = str(p.pattern)
            if route.startswith(("admin/", "^")):
                continue  # Django's own admin and regex routes (i18n) are not kefu's edges
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + route)
            elif isinstance(p, URLPattern):
                found.append((prefix + route, p.callback))

    walk(get_resolver().url_patterns, "/")
    return found


_READS = re.compile(
    r'(?:GET|POST|source|p|query|data|body)\.get(?:list)?\(\s*"([a-z_]+)"|request\.(?:GET|POST)\["([a-z_]+)"\]'
)


def _names_read_by(view: Any) -> set[str]:
    """The query / form names a view reads itself (so that one bad name cannot hide another)."""
    try:
        source = inspect.getsource(inspect.unwrap(view))
    except (OSError, TypeError):
        return set()
    return {a or b for a, b in _READS.findall(source)}


_PARAM = re.compile(r"<(?:(?P<conv>[a-z]+):)?(?P<name>\w+)>")


def _real_ids() -> dict[str, str]:
    """A real primary key per model name (``ticket`` → the first ticket's id)."""
    real: dict[str, str] = {}
    for model in apps.get_models():
        first = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
        if first is not None:
            real.setdefault(model._meta.model_name, str(first))
    return real


def _fill(route: str, value_for: Any) -> str:
    return _PARAM.sub(lambda m: value_for(m.group("name"), m.group("conv") or "str"), route)


def _real_value(real: dict[str, str]) -> Any:
    def value(name: str, conv: str) -> str:
        base = name.removesuffix("_id").removesuffix("_pk").replace("_", "")
        if conv == "int":
            return real.get(base, "1")
        if conv == "path":
            return "x"
        return real.get(base, "x") if conv != "slug" else "x"

    return value


def _hostile_value(hostile: str) -> Any:
    def value(name: str, conv: str) -> str:
        if conv == "int":
            return "99999999999999999999999" if hostile.isascii() else "1"
        return hostile

    return value


def _check(response: Any, what: str, failures: list[str]) -> None:
    if response.status_code >= 500:
        failures.append(f"{response.status_code} {what}")


def _encoded(value: str) -> str:
    return value if value.startswith("%") else quote(value, safe="")


def _queries() -> list[str]:
    """Query strings: every name ``²``, every name an overflowing integer, NUL, and rotations."""
    same = ["&".join(f"{name}={_encoded(v)}" for name in NAMES) for v in ("²", BIG, "\x00")]
    rotated = [
        "&".join(f"{name}={_encoded(ROTATION[(i + k) % len(ROTATION)])}" for i, name in enumerate(NAMES))
        for k in range(0, len(ROTATION), 2)
    ]
    return same + rotated


def _forms() -> list[dict[str, str]]:
    rotated = [
        {name: ROTATION[(i + k) % len(ROTATION)].replace("%ED%A0%80", "\ufffd") for i, name in enumerate(NAMES)}
        for k in (0, 3)
    ]
    return [dict.fromkeys(NAMES, "²"), dict.fromkeys(NAMES, BIG), dict.fromkeys(NAMES, "\x00"), *rotated]


JSON_BODIES = (
    NESTED,
    json.dumps(dict.fromkeys(NAMES, "²")),
    json.dumps({name: int(BIG) for name in NAMES}),
    json.dumps({name: ROTATION[i % len(ROTATION)] for i, name in enumerate(NAMES)}),
    '{"text": "\\u0000", "name": "\\ud800", "event": "agree", "actor": 5}',
    "[1]",
)


def _crawl(client: Client, label: str, real: dict[str, str], *, one_by_one: bool = False) -> list[str]:
    failures: list[str] = []
    queries, forms = _queries(), _forms()
    for route, view in _patterns():
        url = _fill(route, _real_value(real))
        _check(client.get(url), f"{label} GET {url}", failures)
        if one_by_one:  # each name the view reads, alone
            for name in sorted(_names_read_by(view)):
                for value in ("²", BIG, "2026-02-30T25:00", "9999-12-31T23:59:59-14:00"):
                    _check(client.get(f"{url}?{name}={_encoded(value)}"), f"{label} GET {url}?{name}={value}", failures)
                _check(client.post(url, {name: "²"}), f"{label} POST form {url} {name}=²", failures)
        for query in queries:
            _check(client.get(f"{url}?{query}"), f"{label} GET {url}?{query[:40]}", failures)
        for form in forms:
            _check(client.post(url, form), f"{label} POST form {url} {next(iter(form.values()))!r}", failures)
        if url.startswith(("/api/", "/widget/")):
            for body in JSON_BODIES:
                response = client.post(url, body, content_type="application/json")
                _check(response, f"{label} POST json {url} {body[:40]!r}", failures)
        if "<" in route:
            for hostile in HOSTILE_PATH:
                bad = _fill(route, _hostile_value(hostile))
                _check(client.get(bad), f"{label} GET {bad[:80]}", failures)
                _check(client.post(bad, "{}", content_type="application/json"), f"{label} POST {bad[:80]}", failures)
    return failures


@pytest.fixture
def demo_world():
    from kefu import demo

    assert demo.load()
    return _real_ids()


def _client(username: str | None) -> Client:
    client = Client(raise_request_exception=False)
    if username:
        from kefu.accounts.models import User

        client.force_login(User.objects.get(username=username))
    return client


def test_no_url_answers_5xx_to_hostile_input(demo_world):
    failures: list[str] = []
    # Given the demo company, for a supervisor, an agent and nobody signed in,
    for username in ("supervisor", "agent", None):
        client = _client(username)
        # when every URL pattern is requested with real ids and hostile path, query, form and JSON values,
        failures += _crawl(client, username or "anonymous", demo_world, one_by_one=username == "supervisor")
    if failures and os.environ.get("KEFU_CRAWL_REPORT"):
        Path(os.environ["KEFU_CRAWL_REPORT"]).write_text("\n".join(failures), encoding="utf-8")
    # then none of them is a server error.
    assert failures == [], "\n".join(failures[:80]) + f"\n… {len(failures)} in all"
