"""The embedded (one-process) channel layer.

Channels' ``InMemoryChannelLayer`` sweeps every channel for expired messages on every send
and receive: with a thousand open sockets each message costs a pass over all of them, and
live chat became quadratic (``kefu bench chat`` showed it as the top entry of a profile).
Here the sweep runs at most once a second; expiry only frees memory of messages nobody
read, so a sweep a second later changes nothing a client can see.
"""

from __future__ import annotations

import time

from channels.layers import InMemoryChannelLayer as ChannelsInMemoryChannelLayer

SWEEP_EVERY = 1.0


class InMemoryChannelLayer(ChannelsInMemoryChannelLayer):
    _last_sweep = 0.0

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now - self._last_sweep < SWEEP_EVERY:
            return
        self._last_sweep = now
        super()._clean_expired()
