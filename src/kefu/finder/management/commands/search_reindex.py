from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from kefu.finder.index import rebuild


class Command(BaseCommand):
    help = "Index for the search box everything stored before it existed (messages not yet indexed, all records)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(json.dumps(rebuild(), ensure_ascii=False))
