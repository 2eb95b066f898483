"""The quality sweeper: every closed conversation is inspected automatically."""

from __future__ import annotations

from datetime import datetime

from kefu.core.tasks import sweeper
from kefu.quality.actions import inspect_closed


@sweeper("quality.inspect_closed")
def sweep_quality(now: datetime) -> int:
    return inspect_closed(now)
