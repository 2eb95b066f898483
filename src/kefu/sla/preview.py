"""The SLA simulator: what due time would a target give?  Shared by the API and the admin page."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils.translation import gettext as _

from kefu.core import params
from kefu.core.errors import NotFound, ValidationFailed
from kefu.sla import duemath, engine
from kefu.sla.models import BusinessCalendar

MAX_MINUTES = 60 * 24 * 366 * 2  # two years


def parse_time(value: Any, what: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        raise ValidationFailed(_("%(what)s is not an ISO-8601 time.") % {"what": what}) from None
    if parsed.tzinfo is None:
        raise ValidationFailed(_("%(what)s needs a time zone offset, e.g. +08:00.") % {"what": what})
    return params.moment(parsed.isoformat())  # sane years and offsets


def preview(
    calendar: str, start: str, minutes: float, *, business: bool = True, pauses: list[list[Any]] | None = None
) -> datetime | None:
    """The due time of a ``minutes`` target from ``start`` on ``calendar`` with ``pauses``
    (``[[start, end|null], …]``); ``None`` while a pause is still open."""
    if not BusinessCalendar.objects.filter(name=calendar).exists():
        raise NotFound(_("There is no calendar “%(name)s”.") % {"name": calendar})
    if not 0 <= minutes <= MAX_MINUTES:
        raise ValidationFailed(_("Minutes must be between 0 and %(max)s.") % {"max": MAX_MINUTES})
    begin = parse_time(start, _("The start"))
    spans: list[duemath.Pause] = []
    for item in pauses or []:
        if not isinstance(item, list | tuple) or len(item) != 2:
            raise ValidationFailed(_("Each pause is a pair [start, end]."))
        a = parse_time(item[0], _("A pause start"))
        b = parse_time(item[1], _("A pause end")) if item[1] not in (None, "") else None
        if b is not None and b < a:
            raise ValidationFailed(_("A pause ends before it starts."))
        spans.append((a, b))
    cal = engine.calendar(calendar)
    try:
        due = duemath.due_at(cal, begin, timedelta(minutes=minutes), business=business, pauses=spans)
    except duemath.CalendarError as exc:
        raise ValidationFailed(str(exc)) from None
    return due.astimezone(cal.tz) if due else None
