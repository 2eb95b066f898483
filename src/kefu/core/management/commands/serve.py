from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from kefu.core.runtime import Background, uvicorn_config


class Command(BaseCommand):
    help = _("Run kefu in one process: HTTP + WebSocket, the job consumer and the timer sweeper.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=settings.ENV.host)
        parser.add_argument("--port", type=int, default=settings.ENV.port)
        parser.add_argument("--no-setup", action="store_true", help="skip migrate and demo data")

    def handle(self, *args: Any, host: str, port: int, no_setup: bool, **options: Any) -> None:
        import uvicorn

        if not no_setup:
            self.stdout.write("kefu: migrating the database …")
            call_command("migrate", interactive=False, verbosity=0)
            call_command("demo", if_empty=True)
        background = Background()
        background.start()
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
        server = uvicorn.Server(uvicorn.Config("kefu.config.asgi:application", **uvicorn_config(host, port)))
        try:
            server.run()
        except KeyboardInterrupt:
            pass  # uvicorn re-raises Ctrl-C after its graceful shutdown; ours follows
        finally:
            self.stdout.write("kefu: stopping jobs and timers …")
            if mail_server is not None:
                mail_server.stop()
            background.stop()
            self.stdout.write("kefu: stopped.")
