"""Raw mail is written (file + row, committed) before anything parses it."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from datetime import datetime

from django.core.files.base import ContentFile
from django.db import transaction

from kefu.intake.choices import MailSource
from kefu.intake.models import RawMail

log = logging.getLogger("kefu.intake.email")


def store_raw(
    data: bytes,
    *,
    source: str,
    now: datetime,
    mailbox: str = "",
    envelope_from: str = "",
    envelope_to: Sequence[str] = (),
) -> RawMail:
    digest = hashlib.sha256(data).hexdigest()
    raw = RawMail(
        sha256=digest,
        size=len(data),
        source=source,
        mailbox=mailbox[:120],
        envelope_from=envelope_from[:300],
        envelope_to=[str(r)[:300] for r in envelope_to][:100],
        received_at=now,
    )
    with transaction.atomic():
        raw.file.save(f"{now:%H%M%S}-{digest[:16]}.eml", ContentFile(data), save=False)
        raw.save()
    log.info(
        "mail stored",
        extra={"raw_mail": raw.pk, "bytes": len(data), "source": source, "sha256": digest[:16]},
    )
    return raw


def read_raw(raw: RawMail) -> bytes:
    with raw.file.open("rb") as handle:
        return handle.read()


__all__ = ["MailSource", "read_raw", "store_raw"]
