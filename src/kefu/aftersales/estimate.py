"""Dispatch estimate (R11): pure functions of (start time, calendar, burn-in), no database.

The brief's rules, as kefu applies them (docs/aftersales.md):

* stock is prepared within **48 h** of the order (payment, or the COD confirmation);
* the parcel ships within **1–3 days**: at the earliest on the first working day after the
  order day, at the latest on the 3rd working day after it — and never before the stock is
  ready; nothing ships on a non-working day of the calendar (weekends, public holidays; the
  adjusted working Saturdays/Sundays of 调休 *do* ship), so a weekend order ships on Monday;
* custom-made goods add their **burn-in** time (hours, counted around the clock) before the
  stock is ready;
* delivery takes **3–5 days** after shipping (couriers deliver every day: calendar days).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from kefu.sla.duemath import Calendar

PREPARE_HOURS = 48
SHIP_MIN_DAYS = 1
SHIP_MAX_WORKING_DAYS = 3
TRANSIT_MIN_DAYS = 3
TRANSIT_MAX_DAYS = 5
SHIP_TIME = time(18, 0)  # the estimate's instants: the end of the local working day


@dataclass(frozen=True)
class Estimate:
    ship_from: date
    ship_by: date
    arrive_from: date
    arrive_by: date
    burn_in_hours: int = 0
    shipped: bool = False

    def as_dict(self) -> dict[str, object]:
        return {
            "ship_from": self.ship_from.isoformat(),
            "ship_by": self.ship_by.isoformat(),
            "arrive_from": self.arrive_from.isoformat(),
            "arrive_by": self.arrive_by.isoformat(),
            "burn_in_hours": self.burn_in_hours,
            "shipped": self.shipped,
        }


def next_working_day(calendar: Calendar, day: date) -> date:
    """``day`` itself when it is a working day, else the first working day after it."""
    for _ in range(60):
        if calendar.is_working_day(day):
            return day
        day += timedelta(days=1)
    raise ValueError(f"calendar {calendar.name!r} has no working day within 60 days of {day}")


def add_working_days(calendar: Calendar, day: date, n: int) -> date:
    """The ``n``-th working day after ``day`` (``day`` itself not counted)."""
    for _ in range(n):
        day = next_working_day(calendar, day + timedelta(days=1))
    return day


def estimate(
    start: datetime,
    calendar: Calendar,
    *,
    burn_in_hours: int = 0,
    shipped_at: datetime | None = None,
) -> Estimate:
    """When an order placed (or confirmed) at ``start`` ships and arrives; once it shipped,
    the arrival window counts from the real ship date."""
    tz = calendar.tz
    if shipped_at is not None:
        day = shipped_at.astimezone(tz).date()
        return Estimate(
            ship_from=day,
            ship_by=day,
            arrive_from=day + timedelta(days=TRANSIT_MIN_DAYS),
            arrive_by=day + timedelta(days=TRANSIT_MAX_DAYS),
            burn_in_hours=burn_in_hours,
            shipped=True,
        )
    local = start.astimezone(tz)
    order_day = local.date()
    burnt_in = (local + timedelta(hours=burn_in_hours)).date()
    prepared = (local + timedelta(hours=PREPARE_HOURS + burn_in_hours)).date()
    ship_from = next_working_day(calendar, max(order_day + timedelta(days=SHIP_MIN_DAYS), burnt_in))
    ship_by = max(add_working_days(calendar, order_day, SHIP_MAX_WORKING_DAYS), next_working_day(calendar, prepared))
    return Estimate(
        ship_from=ship_from,
        ship_by=ship_by,
        arrive_from=ship_from + timedelta(days=TRANSIT_MIN_DAYS),
        arrive_by=ship_by + timedelta(days=TRANSIT_MAX_DAYS),
        burn_in_hours=burn_in_hours,
    )


def at_end_of_day(calendar: Calendar, day: date) -> datetime:
    """The instant stored in ``estimated_*_at`` for ``day`` (18:00 local)."""
    return datetime.combine(day, SHIP_TIME, tzinfo=calendar.tz)
