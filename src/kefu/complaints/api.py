"""REST endpoints of the complaints app (mounted by kefu.web.api)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["complaints"])
