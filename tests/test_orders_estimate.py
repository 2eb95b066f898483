"""Dispatch estimate (R11) around a weekend, National Day 2025 and adjusted working days (调休),
each checked against a hand-computed date on the ``workdays`` calendar (chinese-calendar data)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from kefu.aftersales.estimate import add_working_days, estimate, next_working_day
from kefu.sla import duemath

SH = ZoneInfo("Asia/Shanghai")
CAL = duemath.china_workdays()


def at(y: int, m: int, d: int, h: int = 10) -> datetime:
    return datetime(y, m, d, h, tzinfo=SH)


def test_a_weekday_order_ships_next_day_to_third_working_day():
    # Given an order paid on Tuesday 2025-06-10 at 10:00,
    e = estimate(at(2025, 6, 10), CAL)
    # then it ships from Wednesday to Friday (3rd working day) and arrives 3–5 days after.
    assert (e.ship_from, e.ship_by) == (date(2025, 6, 11), date(2025, 6, 13))
    assert (e.arrive_from, e.arrive_by) == (date(2025, 6, 14), date(2025, 6, 18))


@pytest.mark.parametrize("day", [7, 8])  # Saturday, Sunday
def test_a_weekend_order_ships_on_monday(day):
    # Given an order of Saturday 2025-06-07 or Sunday 2025-06-08,
    e = estimate(at(2025, 6, day), CAL)
    # then it ships on Monday at the earliest and by Wednesday (3 working days after the weekend day).
    assert e.ship_from == date(2025, 6, 9)
    assert e.ship_by == date(2025, 6, 11)
    assert e.arrive_from == date(2025, 6, 12)
    assert e.arrive_by == date(2025, 6, 16)


def test_a_friday_order_does_not_ship_at_the_weekend():
    # Given an order on Friday 2025-06-06,
    e = estimate(at(2025, 6, 6), CAL)
    # then Saturday and Sunday are skipped: Monday to Wednesday.
    assert (e.ship_from, e.ship_by) == (date(2025, 6, 9), date(2025, 6, 11))


def test_national_day_holidays_push_shipping_past_october_8():
    # Given an order on Tuesday 2025-09-30, the eve of National Day (Oct 1–8 off in 2025),
    e = estimate(at(2025, 9, 30), CAL)
    # then nothing ships during the holiday: from Thursday Oct 9; the 3rd working day is
    # Oct 9, 10, then Saturday Oct 11 — an adjusted working day (调休) — so by Oct 11.
    assert e.ship_from == date(2025, 10, 9)
    assert e.ship_by == date(2025, 10, 11)
    assert (e.arrive_from, e.arrive_by) == (date(2025, 10, 12), date(2025, 10, 16))


def test_an_order_during_national_day_waits_for_the_holiday_to_end():
    # Given an order on 2025-10-03 (holiday),
    e = estimate(at(2025, 10, 3), CAL)
    # then it ships from Oct 9, and by Saturday Oct 11: the three working days after Oct 3
    # are Oct 9, 10 and the adjusted working Saturday Oct 11.
    assert e.ship_from == date(2025, 10, 9)
    assert e.ship_by == date(2025, 10, 11)


def test_an_adjusted_working_sunday_ships():
    # Given an order on Saturday 2025-09-27; Sunday 2025-09-28 is an adjusted working day,
    e = estimate(at(2025, 9, 27), CAL)
    # then it ships from that Sunday; the 3 working days after Saturday are Sep 28, 29, 30.
    assert e.ship_from == date(2025, 9, 28)
    assert e.ship_by == date(2025, 9, 30)


def test_an_adjusted_working_saturday_is_a_shipping_day():
    # Given an order on Friday 2025-10-10; Saturday 2025-10-11 is an adjusted working day,
    e = estimate(at(2025, 10, 10), CAL)
    # then it may ship on that Saturday; the third working day is Tuesday Oct 14 (11, 13, 14).
    assert e.ship_from == date(2025, 10, 11)
    assert e.ship_by == date(2025, 10, 14)
    assert CAL.is_working_day(date(2025, 10, 11))
    assert not CAL.is_working_day(date(2025, 10, 18))  # an ordinary Saturday


def test_custom_made_goods_add_their_burn_in_time():
    # Given a custom-made product with 72 h burn-in ordered on Monday 2025-06-09 10:00,
    e = estimate(at(2025, 6, 9), CAL, burn_in_hours=72)
    # then it cannot ship before Thursday (burn-in done) and, with 48 h preparation on top
    # (Saturday 10:00 → next working day Monday), ships by Monday 2025-06-16.
    assert e.ship_from == date(2025, 6, 12)
    assert e.ship_by == date(2025, 6, 16)
    assert e.arrive_by == date(2025, 6, 21)


def test_after_shipping_the_arrival_counts_from_the_real_ship_day():
    # Given an order shipped on 2025-06-10 (late evening UTC = next morning in Shanghai),
    e = estimate(at(2025, 6, 1), CAL, shipped_at=datetime(2025, 6, 10, 20, tzinfo=ZoneInfo("UTC")))
    # then the local ship day is June 11 and it arrives June 14–16.
    assert e.shipped
    assert (e.arrive_from, e.arrive_by) == (date(2025, 6, 14), date(2025, 6, 16))


def test_working_day_helpers():
    assert next_working_day(CAL, date(2025, 10, 1)) == date(2025, 10, 9)
    assert add_working_days(CAL, date(2025, 9, 26), 2) == date(2025, 9, 29)  # Sun 28 (调休) and Mon 29
