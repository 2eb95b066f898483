"""IMAP polling (imapclient): new mail by UID, so a restart neither loses nor repeats mail.

Each mailbox remembers ``UIDVALIDITY`` and the last UID it ingested, saved after each mail.
A crash between ingesting and saving re-reads one mail next time, which the Message-ID check
turns into a ``duplicate``; a changed ``UIDVALIDITY`` (the server renumbered the folder)
re-reads the folder under the same protection.  Messages are fetched with ``BODY.PEEK[]``:
kefu never changes flags in the customer-facing mailbox.
"""

from __future__ import annotations

import logging
import ssl
from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext as _
from imapclient import IMAPClient  # type: ignore[import-untyped]

from kefu.core import clock
from kefu.core.secrets import UnreadableSecret
from kefu.intake.choices import MailSource
from kefu.intake.email.ingest import ingest
from kefu.intake.models import Mailbox

log = logging.getLogger("kefu.intake.email")

BATCH = 20


class UnreadablePasswordError(Exception):
    """No configured key opens the mailbox's stored password."""


@dataclass
class PollResult:
    mailbox: int
    fetched: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    error: str = ""


def _connect(mailbox: Mailbox) -> IMAPClient:
    context = ssl.create_default_context() if mailbox.use_ssl else None
    return IMAPClient(mailbox.host, port=mailbox.port, ssl=mailbox.use_ssl, ssl_context=context, timeout=30)


def poll(mailbox: Mailbox, *, now: datetime | None = None) -> PollResult:
    result = PollResult(mailbox=mailbox.pk)
    now = now or clock.now()
    try:
        if isinstance(mailbox.password, UnreadableSecret):
            raise UnreadablePasswordError(
                _(
                    "The stored password cannot be decrypted: KEFU_ENCRYPTION_KEY or KEFU_SECRET_KEY "
                    "changed. Restore the old key (listed after the new one) or enter the password again."
                )
            )
        with _connect(mailbox) as client:
            client.login(mailbox.username, mailbox.password)
            info = client.select_folder(mailbox.folder, readonly=True)
            validity = int(info.get(b"UIDVALIDITY", 0))
            last_uid = mailbox.last_uid
            if mailbox.uidvalidity is not None and mailbox.uidvalidity != validity:
                log.warning("IMAP UIDVALIDITY changed; re-reading the folder", extra={"mailbox": mailbox.pk})
                last_uid = 0
            if mailbox.uidvalidity != validity:
                Mailbox.objects.filter(pk=mailbox.pk).update(uidvalidity=validity, last_uid=last_uid)
                mailbox.uidvalidity, mailbox.last_uid = validity, last_uid
            # "n:*" always matches the highest UID, even below n: filter.
            uids = sorted(uid for uid in client.search(["UID", f"{last_uid + 1}:*"]) if uid > last_uid)
            for start in range(0, len(uids), BATCH):
                chunk = uids[start : start + BATCH]
                fetched = client.fetch(chunk, ["BODY.PEEK[]"])
                for uid in chunk:
                    data = fetched.get(uid, {}).get(b"BODY[]")
                    if data is None:
                        continue
                    outcome = ingest(
                        bytes(data), source=MailSource.IMAP, mailbox=f"{mailbox.pk}:{mailbox.folder}", now=now
                    )
                    result.fetched += 1
                    result.statuses[outcome.status] = result.statuses.get(outcome.status, 0) + 1
                    Mailbox.objects.filter(pk=mailbox.pk).update(last_uid=uid)
                    mailbox.last_uid = uid
    except Exception as exc:  # network, login, protocol: recorded on the mailbox, retried next poll
        result.error = f"{type(exc).__name__}: {exc}"[:1000]
        log.warning("IMAP poll failed", extra={"mailbox": mailbox.pk, "error": result.error})
    Mailbox.objects.filter(pk=mailbox.pk).update(last_polled_at=now, last_error=result.error)
    if result.fetched:
        log.info("IMAP poll", extra={"mailbox": mailbox.pk, "fetched": result.fetched, "statuses": result.statuses})
    return result
