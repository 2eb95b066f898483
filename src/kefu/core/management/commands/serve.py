from __future__ import annotations

import signal
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from kefu.core.runtime import Server, WalCheckpointer, WorkerProcess, uvicorn_config


def _exit_on_sigterm(*_args: Any) -> None:
    raise SystemExit(0)


class Command(BaseCommand):
    help = _(
        "Run kefu on one machine: HTTP + WebSocket, and the job consumer and the timer sweeper "
        "in a worker process it starts and supervises."
    )

    def _step(self, text: str) -> None:
        self.stdout.write(f"kefu: {text}")
        self.stdout.flush()

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=settings.ENV.host)
        parser.add_argument("--port", type=int, default=settings.ENV.port)
        parser.add_argument("--no-setup", action="store_true", help="skip migrate and demo data")

    def handle(self, *args: Any, host: str, port: int, no_setup: bool, **options: Any) -> None:
        import uvicorn

        if not no_setup:
            self._step("migrating the database (the first start creates it) …")
            started = time.monotonic()
            call_command("migrate", interactive=False, verbosity=0)
            self._step(f"database ready in {time.monotonic() - started:.1f} s")
            self._step("loading the demo company (first start only) …")
            started = time.monotonic()
            call_command("demo", if_empty=True)
            self._step(f"demo ready in {time.monotonic() - started:.1f} s")
        self._step("starting the worker process (jobs, timers, message analysis) and the web server …")
        worker = WorkerProcess()  # started with the event loop (its doorbells are rung there)
        from kefu.intake.email import smtpd  # the built-in SMTP server (KEFU_SMTPD_PORT, 0 = off)

        mail_server = smtpd.start()
        base = f"http://{host}:{port}"
        self.stdout.write(self.style.SUCCESS(f"\nkefu is running: {base}/"))
        self.stdout.write(
            f"  workspace  {base}/\n  admin      {base}/admin/\n  API        {base}/api/v1/docs\n"
            f"  health     {base}/healthz\n"
            + (f"  SMTP in    {mail_server.hostname}:{mail_server.port}\n" if mail_server else "")
            + "  Ctrl-C stops everything.\n"
        )
        # uvicorn raises SIGTERM again after its graceful shutdown: end through the finally below, so
        # the worker process is stopped too (the default action would end this process on the spot).
        signal.signal(signal.SIGTERM, _exit_on_sigterm)
        server = Server(uvicorn.Config("kefu.config.asgi:application", **uvicorn_config(host, port)), worker.start)
        checkpointer = WalCheckpointer()  # SQLite: the log is copied back off the group commit's thread
        checkpointer.start()
        try:
            server.run()
        except (KeyboardInterrupt, SystemExit):
            pass  # uvicorn re-raises Ctrl-C after its graceful shutdown; ours follows
        finally:
            self.stdout.write("kefu: stopping jobs and timers …")
            if mail_server is not None:
                mail_server.stop()
            worker.stop()
            checkpointer.stop()
            self.stdout.write("kefu: stopped.")
