"""REST endpoints of the bot app (mounted by kefu.web.api)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["bot"])
