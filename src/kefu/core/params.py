"""Typed parameters from query strings, form fields and JSON bodies — the one input layer.

Each parser takes the raw value (``str`` from a query or form, anything from JSON) and
returns the typed value, the ``default`` when the value is absent or empty, or raises
:class:`BadParam` — a :class:`~kefu.core.errors.ValidationFailed`, so an API answers 400
in the house shape ``{error, message, field}`` and a page shows its 400 page.  Never a 500:

- whole numbers are ASCII digits only (``"²"`` passes ``str.isdigit()`` and fails ``int()``),
  within bounds (``?year=99999999999`` is refused, not an overflow deeper down);
- decimals are finite, plain notation and bounded (no ``"1e30"``, no ``NaN``);
- dates and times must exist (no 2026-02-30, no hour 25) and lie between the years
  1900 and 2200 with an offset of at most ±14 hours, so that no later arithmetic overflows;
- choices come from a fixed set; lists are bounded in length.

Permission checks come before these parsers (views are decorated; APIs check first).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core.errors import ValidationFailed
from kefu.core.inputs import check_text

ID_MAX = 2**63 - 1
MIN_YEAR, MAX_YEAR = 1900, 2200
MAX_OFFSET = timedelta(hours=14)
_INT = re.compile(r"[+-]?[0-9]{1,19}")
_DECIMAL = re.compile(r"[+-]?[0-9]{1,15}(?:\.[0-9]{1,10})?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?"
)
_MISSING: Any = object()


class BadParam(ValidationFailed):
    """A parameter that cannot be read; ``field`` names it."""

    code = "invalid"


def _bad(field: str, message: str) -> BadParam:
    return BadParam(message, **({"field": field} if field else {}))


def _absent(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def integer(value: Any, *, field: str = "", default: Any = None, lo: int = 0, hi: int = ID_MAX) -> Any:
    """A whole number in ``[lo, hi]`` from ``"42"`` or ``42`` (not ``True``, not ``4.0``)."""
    if _absent(value):
        return default
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise _bad(field, _("A whole number is expected."))
    if isinstance(value, str):
        text = value.strip()
        if not _INT.fullmatch(text):
            raise _bad(field, _("A whole number is expected."))
        value = int(text)
    if not lo <= value <= hi:
        raise _bad(
            field,
            _("The number is out of range (%(lo)s to %(hi)s).") % {"lo": lo, "hi": hi},
        )
    return value


def object_id(value: Any, *, field: str = "", default: Any = None) -> Any:
    """A primary key (1 … 2⁶³−1)."""
    return integer(value, field=field, default=default, lo=1, hi=ID_MAX)


def ids(values: Collection[Any], *, field: str = "", limit: int = 1000) -> list[int]:
    """A list of primary keys (a form's ``getlist``), at most ``limit`` of them; empties skipped."""
    if len(values) > limit:
        raise _bad(field, _("Too many values (at most %(n)d).") % {"n": limit})
    return [object_id(v, field=field) for v in values if not _absent(v)]


def decimal(
    value: Any,
    *,
    field: str = "",
    default: Any = None,
    lo: Decimal | int = 0,
    hi: Decimal | int = Decimal("9999999999.99"),
    places: int = 2,
) -> Any:
    """A finite decimal in plain notation (``"12.50"``), within ``[lo, hi]``, at most ``places`` decimals."""
    if _absent(value):
        return default
    text = str(value).strip() if isinstance(value, int | float | str) and not isinstance(value, bool) else ""
    if not _DECIMAL.fullmatch(text):
        raise _bad(field, _("An amount such as 12.50 is expected."))
    try:
        number = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
        raise _bad(field, _("An amount such as 12.50 is expected.")) from None
    if -number.as_tuple().exponent > places:  # type: ignore[operator]
        raise _bad(field, _("At most %(n)d decimal places.") % {"n": places})
    if not Decimal(lo) <= number <= Decimal(hi):
        raise _bad(
            field,
            _("The number is out of range (%(lo)s to %(hi)s).") % {"lo": lo, "hi": hi},
        )
    return number


def day(value: Any, *, field: str = "", default: Any = None) -> Any:
    """A calendar date ``YYYY-MM-DD`` that exists, between the years 1900 and 2200."""
    if _absent(value):
        return default
    text = value.strip() if isinstance(value, str) else ""
    try:
        if not _DATE.fullmatch(text):
            raise ValueError(text)
        parsed = date.fromisoformat(text)
    except ValueError:
        raise _bad(field, _("A date such as 2026-03-01 is expected.")) from None
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        raise _bad(field, _("The date is out of range."))
    return parsed


def moment(value: Any, *, field: str = "", default: Any = None) -> Any:
    """An aware datetime from ISO 8601 (``2026-03-01T09:30``, ``…+08:00``, ``…Z``).

    Without an offset the deployment's time zone applies.  The instant must exist, lie
    between 1900 and 2200 (in UTC and in its own offset) and carry an offset of at most ±14 h."""
    if _absent(value):
        return default
    text = value.strip() if isinstance(value, str) else ""
    message = _("A date and time such as 2026-03-01T09:30 is expected.")
    try:
        if not _DATETIME.fullmatch(text):
            raise ValueError(text)
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise _bad(field, message) from None
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        raise _bad(field, _("The date is out of range."))
    try:
        if parsed.tzinfo is None:
            parsed = timezone.make_aware(parsed)
        offset = parsed.utcoffset()
        if offset is None or abs(offset) > MAX_OFFSET:
            raise ValueError(text)
        in_utc = parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        raise _bad(field, message) from None
    if not MIN_YEAR <= in_utc.year <= MAX_YEAR:
        raise _bad(field, _("The date is out of range."))
    return parsed


def choice(value: Any, choices: Collection[str], *, field: str = "", default: Any = None) -> Any:
    """One of ``choices`` (exactly)."""
    if _absent(value):
        return default
    if not isinstance(value, str) or value not in choices:
        raise _bad(field, _("Unknown value."))
    return value


def text(value: Any, *, field: str = "", default: str = "", max_length: int = 10_000) -> str:
    """A string (checked for NUL / lone surrogates), at most ``max_length`` characters."""
    if value is None:
        return default
    if not isinstance(value, str):
        raise _bad(field, _("Text is expected."))
    check_text(value, field=field)
    if len(value) > max_length:
        raise _bad(field, _("The text is too long (at most %(n)d characters).") % {"n": max_length})
    return value


def flag(value: Any, *, field: str = "", default: bool = False) -> bool:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"1", "true", "on", "yes", "0", "false", "off", "no"}:
        return value.strip().lower() in {"1", "true", "on", "yes"}
    raise _bad(field, _("Yes or no is expected."))


def body_fields(
    body: Any, schema: Mapping[str, Callable[[Any], Any]], *, required: Collection[str] = ()
) -> dict[str, Any]:
    """Keyword arguments for an action from a JSON object, by an explicit ``schema``
    (field → parser).  Unknown keys are refused (never passed on as ``**body``)."""
    if not isinstance(body, dict):
        raise _bad("", _("The request body must be a JSON object."))
    unknown = sorted(str(k) for k in body if k not in schema)
    if unknown:
        raise _bad(unknown[0], _("Unknown field “%(field)s”.") % {"field": unknown[0]})
    out: dict[str, Any] = {}
    for name, parse in schema.items():
        if name in body:
            out[name] = parse(body[name])
        elif name in required:
            raise _bad(name, _("“%(field)s” is required.") % {"field": name})
    return out


def is_digits(value: Any, *, max_digits: int = 18) -> bool:
    """``str.isdigit()`` for the ASCII digits only (``"²"`` and ``"٣"`` are not), at most
    ``max_digits`` of them — what may safely go to ``int()`` and into an id column."""
    return isinstance(value, str) and 0 < len(value) <= max_digits and value.isascii() and value.isdigit()
