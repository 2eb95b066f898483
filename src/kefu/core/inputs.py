"""Text and JSON at the edge: checked once, where they enter, for every channel.

Two characters are valid in JSON and in Python strings but not in the databases: NUL
(``\\u0000``, refused by PostgreSQL) and lone UTF-16 surrogates (``\\ud800``, not
encodable as UTF-8, refused by SQLite).  Every edge — the widget and agent sockets, the
HTTP API, the pages' forms, the platform bridge, webhooks — refuses them with a clear
400 / error frame (:func:`check_text`, :func:`check_tree`, :func:`loads`);
where refusing makes no sense (a mail that has already arrived) they are stripped
(:func:`strip_text`).  JSON is measured (size, nesting depth) *before* it is parsed, so a
deeply nested body is a 400, never a ``RecursionError``.

docs/adr/0007-one-input-layer.md explains the choice.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from itertools import accumulate
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from kefu.core.errors import ValidationFailed

# NUL, and UTF-16 surrogates that are not part of a pair (Python keeps them as code points).
_BAD = re.compile("[\x00\ud800-\udfff]")
# A JSON string literal (with escapes): removed before brackets are counted.
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


class BadInput(ValidationFailed):
    """Text or JSON that no edge accepts; ``code`` names what was wrong."""

    code = "invalid_text"


class TooLarge(BadInput):
    code = "too_large"
    status = 413


class TooDeep(BadInput):
    code = "too_deep"


class NotJson(BadInput):
    code = "invalid"  # the API's code for a body that is not JSON (the sockets say "invalid_json")


def has_bad_chars(value: str) -> bool:
    return _BAD.search(value) is not None


def check_text(value: str, *, field: str = "") -> str:
    """``value`` unchanged, or :class:`BadInput` when it holds NUL or a lone surrogate."""
    if _BAD.search(value) is not None:
        raise BadInput(
            _("The text contains characters that cannot be stored (NUL or a broken Unicode surrogate)."),
            **({"field": field} if field else {}),
        )
    return value


def strip_text(value: str) -> str:
    """``value`` without NUL and lone surrogates (for input that cannot be refused, such as mail)."""
    return _BAD.sub("", value) if _BAD.search(value) is not None else value


def check_tree(value: Any, *, path: str = "") -> Any:
    """Check every string (keys too) of a parsed JSON value; returns it unchanged."""
    stack: list[tuple[Any, str]] = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            check_text(item, field=where)
        elif isinstance(item, dict):
            for key, child in item.items():
                name = f"{where}.{key}" if where else str(key)
                if isinstance(key, str):
                    check_text(key, field=name)
                stack.append((child, name))
        elif isinstance(item, list):
            stack.extend((child, f"{where}[{i}]") for i, child in enumerate(item))
    return value


def check_strings(values: Iterable[tuple[str, str]]) -> None:
    """Check ``(name, value)`` pairs, e.g. a query string's or a form's items."""
    for name, value in values:
        check_text(name, field=name)
        check_text(value, field=name)


def json_depth(text: str) -> int:
    """The deepest nesting of ``[`` / ``{`` in JSON text, without parsing it."""
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text))
    if not brackets:
        return 0
    return max(accumulate(1 if c in "[{" else -1 for c in brackets))


def loads(
    raw: bytes | str,
    *,
    max_bytes: int | None = None,
    max_depth: int | None = None,
    empty: Any = None,
    check: bool = True,
) -> Any:
    """Parse JSON from an edge: size and depth are checked first, then every string.

    Raises :class:`TooLarge`, :class:`TooDeep`, :class:`NotJson` or :class:`BadInput`
    (all :class:`~kefu.core.errors.ValidationFailed`, so a 400 or an error frame);
    empty input gives ``empty``.  ``check=False`` leaves the strings to the caller's
    :func:`check_tree` (a socket that wants to name the refused message's ``client_id``)."""
    limit = max_bytes if max_bytes is not None else settings.KEFU_MAX_JSON_BYTES
    depth = max_depth if max_depth is not None else settings.KEFU_MAX_JSON_DEPTH
    if len(raw) > limit:
        raise TooLarge(_("The request is too large (at most %(kb)d KB).") % {"kb": max(1, limit // 1024)})
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise NotJson(_("The request body is not valid JSON.")) from None
    else:
        text = raw
    if not text.strip():
        return empty
    if json_depth(text) > depth:
        raise TooDeep(_("The JSON is nested too deeply (at most %(n)d levels).") % {"n": depth})
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        raise NotJson(_("The request body is not valid JSON.")) from None
    return check_tree(value) if check else value
