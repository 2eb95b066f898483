"""The WeChat channel's sweeper: callbacks taken (receipt written) but not stored are stored again."""

from __future__ import annotations

from datetime import datetime

from kefu.core.tasks import sweeper
from kefu.intake.wechat_mp.actions import do_redeliver


@sweeper("wechat_mp.redeliver")
def redeliver(now: datetime) -> int:
    return do_redeliver(now)
