"""``kefu assist_backfill``: analyse stored customer messages that have no analysis yet (after an
upgrade, or when the worker was down for long), in batches, printing progress.  Idempotent."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = _("Analyse the stored customer messages that have no analysis yet, in batches.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch", type=int, default=200, help="messages analysed and stored together")

    def handle(self, *args: Any, batch: int, **options: Any) -> None:
        from kefu.assist.actions import backfill

        started = time.perf_counter()

        def progress(done: int, total: int) -> None:
            rate = done / max(time.perf_counter() - started, 1e-6)
            self.stdout.write(f"kefu assist_backfill: {done} / {total} messages analysed ({rate:.0f}/s)")

        done = backfill(batch=max(1, batch), progress=progress)
        seconds = time.perf_counter() - started
        self.stdout.write(f"kefu assist_backfill: done, {done} messages analysed in {seconds:.1f} s.")
