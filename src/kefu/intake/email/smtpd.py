"""The built-in SMTP server (aiosmtpd): every accepted mail is stored raw, then ingested.

The reply code tells the sending server the truth: ``250`` once the raw mail is stored (even
if processing it then rejects it — it is kept and logged), ``451`` (try again later) when it
could not be stored, ``552`` for a mail over ``KEFU_MAIL_MAX_MB``.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import close_old_connections

from kefu.intake.choices import MailSource

log = logging.getLogger("kefu.intake.email")


def _ingest(data: bytes, envelope_from: str, envelope_to: list[str]) -> str:
    from kefu.intake.email.ingest import ingest

    close_old_connections()
    try:
        result = ingest(data, source=MailSource.SMTP, envelope_from=envelope_from, envelope_to=envelope_to)
    finally:
        close_old_connections()
    return f"250 OK {result.status} raw={result.raw}"


class IngestHandler:
    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd hook name)
        data = envelope.original_content or envelope.content or b""
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogateescape")
        sender = str(envelope.mail_from or "")
        recipients = [str(r) for r in envelope.rcpt_tos]
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(None, _ingest, data, sender, recipients)
        except Exception:
            log.exception("SMTP: could not store a mail", extra={"from": sender, "bytes": len(data)})
            return "451 4.3.0 Mail could not be stored; please try again later"


def controller(host: str | None = None, port: int | None = None) -> Controller:
    cfg = settings.KEFU_MAIL
    return Controller(
        IngestHandler(),
        hostname=host or cfg.smtpd_host,
        port=cfg.smtpd_port if port is None else port,
        data_size_limit=cfg.max_mail_mb * 1024 * 1024,
        enable_SMTPUTF8=True,
        decode_data=False,
        server_hostname="kefu",
        ident="kefu smtpd",
    )


def start(host: str | None = None, port: int | None = None) -> Controller | None:
    """Start the server in a thread (``kefu serve``); None when ``KEFU_SMTPD_PORT`` is 0."""
    port = settings.KEFU_MAIL.smtpd_port if port is None else port
    if not port:
        return None
    server = controller(host, port)
    try:
        server.start()
    except (OSError, RuntimeError) as exc:  # port taken: the rest of kefu still runs
        log.error("SMTP server could not start", extra={"host": server.hostname, "port": port, "error": str(exc)})
        return None
    log.info("SMTP server listening", extra={"host": server.hostname, "port": port})
    return server
