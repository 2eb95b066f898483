"""Intake endpoints of the REST API: signed webhooks, authenticated by signature, not token."""

from __future__ import annotations

from ninja import Router

from kefu.intake.phone.api import router as calls_router
from kefu.intake.platform.api import router as platform_router

router = Router()
router.add_router("/calls", calls_router)
router.add_router("/platform", platform_router)
