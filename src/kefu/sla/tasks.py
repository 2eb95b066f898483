"""The SLA sweeper, registered with the one sweeper loop (``kefu serve`` / ``kefu worker``)."""

from __future__ import annotations

from datetime import datetime

from kefu.core.tasks import sweeper
from kefu.sla.sweep import sweep


@sweeper("sla")
def sweep_sla(now: datetime) -> int:
    return sweep(now)
