"""Business calendars and due-time arithmetic (kefu.sla.duemath): pure functions, no database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kefu.sla.duemath import (
    Calendar,
    CalendarError,
    always,
    china_workdays,
    counted_between,
    due_at,
    end_of_business_day,
    same_day_target,
)

SH = ZoneInfo("Asia/Shanghai")
WORK = china_workdays()
H24 = always()


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def test_within_one_morning():
    # Given Monday 2025-03-03 09:30, when 60 business minutes are added, then it is due 10:30.
    assert due_at(WORK, sh(2025, 3, 3, 9, 30), minutes(60)) == sh(2025, 3, 3, 10, 30)


def test_lunch_break_is_skipped():
    # Given 11:30 on a working day, when 60 business minutes are added,
    # then 30 minutes are counted before lunch and 30 after it: 13:30.
    assert due_at(WORK, sh(2025, 3, 3, 11, 30), minutes(60)) == sh(2025, 3, 3, 13, 30)


def test_ending_exactly_at_lunch_is_due_at_noon():
    assert due_at(WORK, sh(2025, 3, 3, 11, 0), minutes(60)) == sh(2025, 3, 3, 12, 0)


def test_start_inside_the_lunch_break_counts_from_1300():
    assert due_at(WORK, sh(2025, 3, 3, 12, 20), minutes(30)) == sh(2025, 3, 3, 13, 30)


def test_start_before_opening_counts_from_0900():
    assert due_at(WORK, sh(2025, 3, 3, 6, 0), minutes(15)) == sh(2025, 3, 3, 9, 15)


def test_friday_evening_rolls_over_the_weekend():
    # Given Friday 2025-03-07 17:00, when 2 business hours are added,
    # then one hour is Friday's and one Monday's.
    assert due_at(WORK, sh(2025, 3, 7, 17, 0), minutes(120)) == sh(2025, 3, 10, 10, 0)


def test_24_business_hours_are_three_working_days():
    # 8 working hours a day: 24 h of business time from Monday 09:00 end Wednesday 18:00.
    assert due_at(WORK, sh(2025, 3, 3, 9, 0), minutes(24 * 60)) == sh(2025, 3, 5, 18, 0)


def test_national_day_holiday_and_adjusted_working_saturday():
    # Given 2025: 1–8 October are public holidays, Saturday 11 October is an adjusted working day (调休).
    assert not WORK.is_working_day(date(2025, 10, 1))
    assert WORK.is_working_day(date(2025, 10, 11))
    # When a ticket arrives on Tuesday 30 September 17:00 with 2 business hours to go,
    # then one hour is counted that evening and the rest on Thursday 9 October (after the holiday).
    assert due_at(WORK, sh(2025, 9, 30, 17, 0), minutes(120)) == sh(2025, 10, 9, 10, 0)
    # And a ticket of Friday 10 October 17:30 with 1 business hour is due Saturday 11 October 09:30.
    assert due_at(WORK, sh(2025, 10, 10, 17, 30), minutes(60)) == sh(2025, 10, 11, 9, 30)


def test_adjusted_sunday_before_national_day():
    # Sunday 28 September 2025 is a working day; a start on Saturday 27th counts from Sunday 09:00.
    assert due_at(WORK, sh(2025, 9, 27, 10, 0), minutes(30)) == sh(2025, 9, 28, 9, 30)


def test_start_inside_a_holiday_counts_from_the_next_working_day():
    # Spring Festival 2025: 28 Jan – 4 Feb closed; 8 Feb (Saturday) is an adjusted working day.
    assert due_at(WORK, sh(2025, 1, 30, 10, 0), minutes(60)) == sh(2025, 2, 5, 10, 0)


def test_pause_spanning_a_holiday_costs_only_the_business_time_it_covered():
    # Given a 4-business-hour target from Tuesday 30 September 2025 09:00,
    start = sh(2025, 9, 30, 9, 0)
    # when the ticket waits on the customer from 30 September 16:00 until 9 October 10:00
    # (across the National Day holiday),
    pauses = [(sh(2025, 9, 30, 16, 0), sh(2025, 10, 9, 10, 0))]
    # then a 4-hour target is met before the pause begins (09–12 and 13–14),
    assert due_at(WORK, start, minutes(240), pauses=pauses) == sh(2025, 9, 30, 14, 0)
    # and with an 8-hour target the remaining 2 hours run from 9 October 10:00: due 12:00.
    assert due_at(WORK, start, minutes(480), pauses=pauses) == sh(2025, 10, 9, 12, 0)


def test_open_pause_means_unknown_unless_due_before_it():
    start = sh(2025, 3, 3, 9, 0)
    assert due_at(WORK, start, minutes(60), pauses=[(sh(2025, 3, 3, 11, 0), None)]) == sh(2025, 3, 3, 10, 0)
    assert due_at(WORK, start, minutes(180), pauses=[(sh(2025, 3, 3, 11, 0), None)]) is None


def test_calendar_time_ignores_working_hours_but_not_pauses():
    start = sh(2025, 10, 1, 20, 0)
    assert due_at(WORK, start, minutes(240), business=False) == sh(2025, 10, 2, 0, 0)
    paused = [(sh(2025, 10, 1, 21, 0), sh(2025, 10, 1, 22, 30))]
    assert due_at(WORK, start, minutes(240), business=False, pauses=paused) == sh(2025, 10, 2, 1, 30)


def test_24x7_calendar():
    assert due_at(H24, sh(2025, 10, 1, 23, 59), timedelta(seconds=15)) == sh(2025, 10, 1, 23, 59, 15)


def test_same_day_deadline():
    # A complaint at 10:00 on a working day must be answered by 18:00 the same day (R9);
    assert end_of_business_day(WORK, sh(2025, 3, 3, 10, 0)) == sh(2025, 3, 3, 18, 0)
    assert same_day_target(WORK, sh(2025, 3, 3, 10, 0)) == minutes(7 * 60)
    # one at 19:00 (after hours) by the close of the next working day,
    assert end_of_business_day(WORK, sh(2025, 3, 3, 19, 0)) == sh(2025, 3, 4, 18, 0)
    # one on a public holiday by the close of the first working day after it.
    assert end_of_business_day(WORK, sh(2025, 10, 3, 10, 0)) == sh(2025, 10, 9, 18, 0)
    assert end_of_business_day(H24, sh(2025, 10, 3, 10, 0)) == sh(2025, 10, 4, 0, 0)


def test_admin_holiday_and_admin_workday():
    # Given an administrator closes Monday 3 March 2025 and opens Sunday 9 March,
    cal = china_workdays(extra_holidays=[date(2025, 3, 3)], extra_workdays=[date(2025, 3, 9)])
    # then Monday is skipped and the Sunday counts.
    assert due_at(cal, sh(2025, 3, 3, 9, 0), minutes(60)) == sh(2025, 3, 4, 10, 0)
    assert due_at(cal, sh(2025, 3, 8, 9, 0), minutes(60)) == sh(2025, 3, 9, 10, 0)


def test_counted_between():
    assert counted_between(WORK, sh(2025, 3, 3, 11, 0), sh(2025, 3, 3, 14, 0)) == minutes(120)
    assert counted_between(WORK, sh(2025, 3, 3, 14, 0), sh(2025, 3, 3, 11, 0)) == timedelta(0)


def test_bad_input_is_refused_clearly():
    with pytest.raises(CalendarError, match="time zone"):
        due_at(WORK, datetime(2025, 3, 3, 9, 0), minutes(5))  # noqa: DTZ001 - the point of the test
    with pytest.raises(CalendarError, match="negative"):
        due_at(WORK, sh(2025, 3, 3, 9, 0), minutes(-5))
    with pytest.raises(CalendarError, match="no working hours"):
        Calendar(name="never")
    with pytest.raises(CalendarError, match="ascending"):
        Calendar(name="bad", hours=(((600, 540),),) * 7)
    closed_forever = Calendar(name="closed", hours=(((540, 600),),) * 7, holidays=frozenset(_every_day_of(2030)))
    with pytest.raises(CalendarError, match="closed for more than"):
        due_at(closed_forever, sh(2030, 1, 1, 9, 0), minutes(5))


def _every_day_of(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=i) for i in range(800)]


# --- properties -------------------------------------------------------------------------------------

# hypothesis takes naive bounds and attaches the zone itself.
starts = st.datetimes(
    min_value=datetime(2024, 1, 1),  # noqa: DTZ001
    max_value=datetime(2026, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)
targets = st.integers(min_value=0, max_value=60 * 24 * 20).map(lambda m: timedelta(minutes=m))
offsets = st.integers(min_value=-60 * 24 * 5, max_value=60 * 24 * 30)
lengths = st.integers(min_value=1, max_value=60 * 24 * 12)
calendars = st.sampled_from([WORK, H24])


@settings(max_examples=300, deadline=None)
@given(calendars, starts, targets, st.booleans(), st.lists(st.tuples(offsets, lengths), max_size=3), offsets, lengths)
def test_adding_a_pause_never_moves_the_due_time_earlier(cal, start, target, business, pauses, off, length):
    # Given some pauses, when one more pause is added, then the due time is the same or later.
    existing = [(start + minutes(o), start + minutes(o + n)) for o, n in pauses]
    before = due_at(cal, start, target, business=business, pauses=existing)
    extra = (start + minutes(off), start + minutes(off + length))
    after = due_at(cal, start, target, business=business, pauses=[*existing, extra])
    assert before is not None
    assert after is not None
    assert after >= before


@settings(max_examples=300, deadline=None)
@given(calendars, starts, targets, targets, st.booleans())
def test_business_time_arithmetic_is_additive(cal, start, a, b, business):
    # Given a start, adding a then b equals adding a + b.
    first = due_at(cal, start, a, business=business)
    assert first is not None
    assert due_at(cal, first, b, business=business) == due_at(cal, start, a + b, business=business)


@settings(max_examples=200, deadline=None)
@given(starts, targets)
def test_counted_time_up_to_the_due_time_is_the_target(start, target):
    # The inverse: the business time between start and its due time is the target itself.
    due = due_at(WORK, start, target)
    assert due is not None
    assert counted_between(WORK, start, due) == target
