"""Background work of the assist app: analysing customer messages once, after they are stored.

A stored customer message asks for a drain (:data:`request_analysis`, after commit, coalesced to a few
jobs a second per process); the job runs in the worker process — the child ``kefu serve`` starts, or
``kefu worker`` when scaled — never beside the event loop that delivers messages.  The sweeper asks
for one every sweep, so a job lost with a killed worker is made up within a sweep interval.
"""

from __future__ import annotations

from datetime import datetime

from kefu.core.tasks import HUEY, on_worker_start, sweeper, task

DRAIN_BUDGET_S = 5.0  # then the job queues its successor, so other jobs get a turn


@task("assist.analyze_pending", retries=1, retry_delay=5)
def analyze_pending() -> int:
    """Analyse every customer message that has no analysis yet (screen, then the models in batches)."""
    from kefu.assist.actions import drain_pending

    done, more = drain_pending(budget_s=DRAIN_BUDGET_S)
    if more:
        analyze_pending.enqueue()
    return done


# At most one job every REQUEST_INTERVAL seconds per process, and never one request left behind.
request_analysis = analyze_pending.coalesced(interval=0.2)


@sweeper("assist.analyze_pending")
def sweep_pending(now: datetime) -> int:
    """The safety net: ask for a drain every sweep (a job lost with a killed worker is made up), without
    holding up the other sweepers.  Tests run jobs at commit, so there nothing is left to catch."""
    if not HUEY.immediate:
        request_analysis.request()
    return 0


@task("assist.analyze_conversation", retries=0)
def analyze_conversation(conversation_id: int) -> int:
    """Jobs queued by an older kefu (one a message): the drain does their work."""
    return int(analyze_pending())


@on_worker_start
def load_models() -> None:
    """Load the screen's and the models' weights when the worker starts, not on the first message."""
    from kefu.assist.analysis import analyse

    analyse(["你好，请问退款多久到账？", "怎么还没发货"])
