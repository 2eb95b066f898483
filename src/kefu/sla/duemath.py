"""Business calendars and due-time arithmetic: pure functions, no Django.

A :class:`Calendar` says when the clock runs: always (``24x7``) or during working hours per
weekday with breaks (09:00–12:00 and 13:00–18:00), on working days only — weekdays, minus
public holidays, plus adjusted working days (调休, e.g. the Saturday after National Day).

:func:`due_at` is the one function every SLA deadline comes from::

    due_at(calendar, start, target, business=True, pauses=[(a, b), …]) -> datetime | None

It walks forward from ``start`` through the calendar's open intervals (all time for
calendar-time targets), skips the paused intervals, and returns the instant at which
``target`` of counted time has elapsed.  A pause without an end (still paused) means the
deadline is not known yet: ``None``.  Properties the tests check (hypothesis):

* adding a pause never moves the due time earlier;
* ``due_at(due_at(s, a), b) == due_at(s, a + b)`` (without pauses);
* a zero target is due at ``start`` itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

Interval = tuple[datetime, datetime]
Pause = tuple[datetime, datetime | None]
# Working hours of one day: (start, end) as minutes after local midnight, ascending, not overlapping.
DayHours = tuple[tuple[int, int], ...]

FAR_FUTURE = datetime(9999, 1, 1, tzinfo=UTC)
# A calendar with working days must open at least once in this many days (guards bad data).
MAX_CLOSED_DAYS = 400


class CalendarError(ValueError):
    """The calendar or the arguments cannot give a due time (no working hours, naive times)."""


@dataclass(frozen=True)
class Calendar:
    """When the SLA clock runs.

    ``hours[weekday]`` (Monday = 0) lists the working intervals of that weekday;
    ``holidays`` are closed whatever the weekday, ``workdays`` are adjusted working days
    (调休) that open with ``adjusted_hours`` even when their weekday has no hours.
    """

    name: str
    always_open: bool = False
    timezone: str = "Asia/Shanghai"
    hours: tuple[DayHours, ...] = ((),) * 7
    holidays: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)
    adjusted_hours: DayHours = ()

    def __post_init__(self) -> None:
        if len(self.hours) != 7:
            raise CalendarError("hours needs one entry per weekday (7)")
        for day in (*self.hours, self.adjusted_hours):
            last = -1
            for start, end in day:
                if not (0 <= start < end <= 24 * 60) or start < last:
                    raise CalendarError(f"bad working hours {day!r}: intervals must be ascending within a day")
                last = end
        if not self.always_open and not any(self.hours) and not (self.workdays and self.adjusted_hours):
            raise CalendarError(f"calendar {self.name!r} has no working hours")

    @property
    def tz(self) -> ZoneInfo:
        return _zone(self.timezone)

    def is_working_day(self, day: date) -> bool:
        return bool(self.hours_of(day))

    def hours_of(self, day: date) -> DayHours:
        if self.always_open:
            return ((0, 24 * 60),)
        if day in self.holidays:
            return ()
        if day in self.workdays:
            return self.adjusted_hours or self.hours[day.weekday()]
        return self.hours[day.weekday()]

    def open_intervals(self, start: datetime) -> Iterator[Interval]:
        """The calendar's open intervals from ``start`` on (UTC, clipped to begin at ``start``)."""
        _check_aware(start)
        if self.always_open:
            yield start, FAR_FUTURE
            return
        tz = self.tz
        day = start.astimezone(tz).date()
        closed_run = 0
        while True:
            hours = self.hours_of(day)
            if not hours:
                closed_run += 1
                if closed_run > MAX_CLOSED_DAYS:
                    raise CalendarError(f"calendar {self.name!r} is closed for more than {MAX_CLOSED_DAYS} days")
            else:
                closed_run = 0
            for open_min, close_min in hours:
                a = _local(day, open_min, tz)
                b = _local(day, close_min, tz)
                if b <= start:
                    continue
                yield max(a, start), b
            day += timedelta(days=1)


@lru_cache(maxsize=32)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _local(day: date, minutes: int, tz: ZoneInfo) -> datetime:
    if minutes == 24 * 60:
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    return datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=tz).astimezone(UTC)


def _check_aware(value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise CalendarError("times must carry a time zone (ISO 8601 with an offset)")


def _normalise_pauses(pauses: Iterable[Pause], start: datetime) -> tuple[list[Interval], datetime | None]:
    """Sorted, merged closed pauses ending after ``start``, and the start of an open pause (if any)."""
    closed: list[Interval] = []
    open_from: datetime | None = None
    for p_start, p_end in pauses:
        _check_aware(p_start)
        if p_end is None:
            open_from = p_start if open_from is None else min(open_from, p_start)
            continue
        _check_aware(p_end)
        if p_end <= p_start or p_end <= start:
            continue
        closed.append((max(p_start, start), p_end))
    closed.sort()
    merged: list[Interval] = []
    for a, b in closed:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged, open_from


def _subtract(intervals: Iterator[Interval], pauses: Sequence[Interval]) -> Iterator[Interval]:
    """``intervals`` (ascending, disjoint) minus ``pauses`` (ascending, merged)."""
    i = 0
    for a, b in intervals:
        while i < len(pauses) and pauses[i][1] <= a:
            i += 1
        j = i
        cursor = a
        while j < len(pauses) and pauses[j][0] < b:
            p_a, p_b = pauses[j]
            if p_a > cursor:
                yield cursor, p_a
            cursor = max(cursor, p_b)
            if cursor >= b:
                break
            j += 1
        if cursor < b:
            yield cursor, b


def due_at(
    calendar: Calendar,
    start: datetime,
    target: timedelta,
    *,
    business: bool = True,
    pauses: Iterable[Pause] = (),
) -> datetime | None:
    """When ``target`` of counted time has passed since ``start``.

    ``business=False`` counts every second (calendar time) whatever the calendar;
    ``pauses`` stop the clock.  ``None`` while a pause is still open and the deadline falls
    after it starts (the clock is stopped; it is known again once the pause ends)."""
    _check_aware(start)
    if target < timedelta(0):
        raise CalendarError("a target cannot be negative")
    start = start.astimezone(UTC)
    closed, open_from = _normalise_pauses(pauses, start)
    source = calendar.open_intervals(start) if business else iter([(start, FAR_FUTURE)])
    remaining = target
    for a, b in _subtract(source, closed):
        if open_from is not None and a >= open_from:
            return None
        if open_from is not None and b > open_from:
            b = open_from
            if a + remaining <= b:
                return a + remaining
            return None
        if a + remaining <= b:
            return a + remaining
        remaining -= b - a
    raise CalendarError("no due time before the end of the calendar")  # pragma: no cover - FAR_FUTURE


def counted_between(
    calendar: Calendar, start: datetime, end: datetime, *, business: bool = True, pauses: Iterable[Pause] = ()
) -> timedelta:
    """How much counted time lies between ``start`` and ``end`` (zero if ``end`` ≤ ``start``)."""
    _check_aware(start)
    _check_aware(end)
    if end <= start:
        return timedelta(0)
    start = start.astimezone(UTC)
    closed, open_from = _normalise_pauses(pauses, start)
    if open_from is not None:
        closed = [*closed, (max(open_from, start), FAR_FUTURE)]
        closed, _ = _normalise_pauses(closed, start)
    source = calendar.open_intervals(start) if business else iter([(start, FAR_FUTURE)])
    total = timedelta(0)
    for a, b in _subtract(source, closed):
        if a >= end:
            break
        total += min(b, end) - a
    return total


def end_of_business_day(calendar: Calendar, start: datetime) -> datetime:
    """The close of the working day ``start`` falls in, or of the next working day when
    ``start`` is after hours or on a closed day ("answer the same day", R9).  For a 24×7
    calendar: local midnight ending the day of ``start``."""
    _check_aware(start)
    tz = calendar.tz
    if calendar.always_open:
        day = start.astimezone(tz).date()
        return _local(day, 24 * 60, tz)
    first_open, _end = next(calendar.open_intervals(start))
    day = first_open.astimezone(tz).date()
    hours = calendar.hours_of(day)
    return _local(day, hours[-1][1], tz)


def same_day_target(calendar: Calendar, start: datetime) -> timedelta:
    """The business time from ``start`` to the close of its working day, so a "same day"
    deadline pauses like any other business-time target."""
    return counted_between(calendar, start, end_of_business_day(calendar, start), business=True)


WORKDAY_HOURS: DayHours = ((9 * 60, 12 * 60), (13 * 60, 18 * 60))


def always(name: str = "24x7", timezone: str = "Asia/Shanghai") -> Calendar:
    return Calendar(name=name, always_open=True, timezone=timezone)


def china_workdays(
    name: str = "workdays",
    *,
    hours: DayHours = WORKDAY_HOURS,
    extra_holidays: Iterable[date] = (),
    extra_workdays: Iterable[date] = (),
    timezone: str = "Asia/Shanghai",
) -> Calendar:
    """China's working days per ``chinese-calendar``'s offline data (public holidays closed,
    adjusted working days open), ``hours`` on each, plus holidays an administrator added."""
    holidays, workdays = china_days()
    extra = frozenset(extra_workdays)
    return Calendar(
        name=name,
        timezone=timezone,
        hours=(hours,) * 5 + ((), ()),
        holidays=(holidays | frozenset(extra_holidays)) - extra,
        workdays=workdays | extra,
        adjusted_hours=hours,
    )


@lru_cache(maxsize=1)
def china_days() -> tuple[frozenset[date], frozenset[date]]:
    """(public holidays, adjusted working days) from chinese-calendar's bundled data."""
    from chinese_calendar import constants

    return frozenset(constants.holidays), frozenset(constants.workdays)


def china_data_range() -> tuple[date, date]:
    holidays, workdays = china_days()
    days = holidays | workdays
    return min(days), max(days)
