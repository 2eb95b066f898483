"""REST endpoints of the knowledge app (mounted by kefu.web.api): kb/…"""

from __future__ import annotations

from ninja import Router

router = Router(tags=["knowledge"])
