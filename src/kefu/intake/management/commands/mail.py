from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kefu.intake.choices import MailSource


class Command(BaseCommand):
    requires_system_checks: list[str] = []
    help = _("Email intake: 'kefu mail ingest FILE' (or - for standard input) reads one raw mail into kefu.")

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        ingest = sub.add_parser("ingest", help=_("Read one raw mail (RFC 5322) and print the outcome as JSON."))
        ingest.add_argument("file", nargs="?", default="-", help=_("path of an .eml file, or - for standard input"))
        reprocess = sub.add_parser("reprocess", help=_("Process a stored raw mail again (after a failure)."))
        reprocess.add_argument("raw_id", type=int)

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        from kefu.intake.email.ingest import ingest, reprocess
        from kefu.intake.models import RawMail

        if action == "reprocess":
            raw = RawMail.objects.filter(pk=options["raw_id"]).first()
            if raw is None:
                raise CommandError(_("No raw mail %(id)s.") % {"id": options["raw_id"]})
            result = reprocess(raw)
        else:
            path = options["file"]
            if path == "-":
                data = sys.stdin.buffer.read()
            else:
                try:
                    with open(path, "rb") as handle:
                        data = handle.read()
                except OSError as exc:
                    raise CommandError(str(exc)) from None
            result = ingest(data, source=MailSource.CLI)
        self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
