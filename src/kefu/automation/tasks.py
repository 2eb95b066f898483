"""Time triggers run in the one sweeper loop."""

from __future__ import annotations

from datetime import datetime

from kefu.automation.actions import sweep_time_triggers
from kefu.core.tasks import sweeper


@sweeper("automation.time_triggers")
def sweep_automation(now: datetime) -> int:
    return sweep_time_triggers(now)
