"""The one clock. Nothing else in kefu calls ``timezone.now()`` or ``datetime.now()``.

Tests move time with ``time_machine``; tasks read the clock once and pass ``now`` down.
"""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(UTC)
