from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _


class Command(BaseCommand):
    requires_system_checks: list[str] = []
    help = _("Poll the configured IMAP mailboxes once and print what was fetched (kefu serve polls them itself).")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("mailbox", nargs="*", type=int, help=_("mailbox ids (default: every active one)"))

    def handle(self, *args: Any, mailbox: list[int], **options: Any) -> None:
        from kefu.intake.email.imap import poll
        from kefu.intake.models import Mailbox

        boxes = Mailbox.objects.filter(is_active=True)
        if mailbox:
            boxes = boxes.filter(pk__in=mailbox)
        for box in boxes.order_by("pk"):
            result = poll(box)
            self.stdout.write(
                json.dumps(
                    {"mailbox": box.pk, "fetched": result.fetched, "statuses": result.statuses, "error": result.error},
                    ensure_ascii=False,
                )
            )
