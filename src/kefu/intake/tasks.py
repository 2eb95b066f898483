"""Jobs and sweepers of the intake app (registered by kefu.core.tasks.autodiscover)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q

from kefu.core.tasks import sweeper, task
from kefu.intake.email.outbound import send_email
from kefu.intake.models import Mailbox
from kefu.intake.platform.actions import push_platform_message

__all__ = ["poll_imap_mailbox", "poll_imap_mailboxes", "push_platform_message", "send_email"]


@task("intake.poll_imap", retries=0)
def poll_imap_mailbox(mailbox_id: int) -> None:
    from kefu.intake.email.imap import poll

    mailbox = Mailbox.objects.filter(pk=mailbox_id, is_active=True).first()
    if mailbox is not None:
        poll(mailbox)


@sweeper("intake.imap")
def poll_imap_mailboxes(now: datetime) -> int:
    """Queue a poll of every active mailbox not polled for KEFU_IMAP_INTERVAL seconds."""
    due = now - timedelta(seconds=settings.KEFU_MAIL.imap_interval)
    fired = 0
    for pk in Mailbox.objects.filter(
        Q(last_polled_at__isnull=True) | Q(last_polled_at__lte=due), is_active=True
    ).values_list("pk", flat=True):
        # Claim it first: the next sweep does not queue it again while this poll runs.
        if (
            Mailbox.objects.filter(pk=pk)
            .filter(Q(last_polled_at__isnull=True) | Q(last_polled_at__lte=due))
            .update(last_polled_at=now)
        ):
            poll_imap_mailbox.enqueue(pk)
            fired += 1
    return fired
