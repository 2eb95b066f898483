from __future__ import annotations

import signal
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = _("Run the built-in SMTP server alone: every mail it accepts becomes a ticket or joins one.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=settings.KEFU_MAIL.smtpd_host)
        parser.add_argument("--port", type=int, default=settings.KEFU_MAIL.smtpd_port or 2525)

    def handle(self, *args: Any, host: str, port: int, **options: Any) -> None:
        from kefu.intake.email import smtpd

        server = smtpd.start(host, port)
        if server is None:
            return
        self.stdout.write(self.style.SUCCESS(f"kefu smtpd: listening on {host}:{port}; Ctrl-C stops."))
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_a: stop.set())
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()
            self.stdout.write("kefu smtpd: stopped.")
