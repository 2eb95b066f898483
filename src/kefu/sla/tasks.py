"""The SLA sweeper, registered with the one sweeper loop (``kefu serve`` / ``kefu worker``)."""

from __future__ import annotations

from datetime import datetime

from kefu.core import clock
from kefu.core.tasks import sweeper, task
from kefu.sla.engine import recompute_calendar
from kefu.sla.sweep import sweep


@sweeper("sla")
def sweep_sla(now: datetime) -> int:
    return sweep(now)


@task("sla.recompute_calendar", retries=3, retry_delay=30)
def recompute_calendar_task(name: str) -> int:
    """Recompute running deadlines after a calendar changed (enqueued by the admin)."""
    return recompute_calendar(name, clock.now())


@sweeper("sla.deadlines")
def sweep_deadlines(now: datetime) -> int:
    """Warnings and passings of the named deadlines of cases, complaints and service orders."""
    from kefu.sla import deadlines

    return deadlines.sweep(now)
