"""``kefu bench mail``: the email corpus ingested repeatedly (parse + thread + store), against a
plain stdlib parse of the same files in the same run.  Everything the bench writes is rolled
back and its files go to a temporary directory."""

from __future__ import annotations

import email
import os
import tempfile
import uuid
from email import policy
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.test import override_settings

from kefu.core.bench import bench, rounds
from kefu.intake.choices import MailSource
from kefu.intake.email.ingest import ingest
from kefu.intake.email.parse import parse


def _corpus(path: str) -> list[bytes]:
    root = Path(path)
    files = sorted(root.rglob("*.eml")) if root.is_dir() else []
    return [f.read_bytes() for f in files]


def _default_corpus() -> str:
    return str(Path(settings.ENV.base_dir).parent / "shared" / "corpus" / "email")


def _stdlib(data: bytes) -> None:
    msg = email.message_from_bytes(data, policy=policy.default)
    try:
        body = msg.get_body(preferencelist=("plain", "html"))
        if body is not None:
            body.get_content()
    except (LookupError, ValueError, AttributeError, KeyError, TypeError, UnicodeError):
        pass  # the stdlib gives up on some of the corpus; it is timed all the same


class _Rollback(Exception):
    pass


@bench(
    "mail",
    "kefu mail ingest of the email corpus (parse + thread + store) against a plain stdlib parse of the same files",
    corpus=(str, "", "folder of .eml files (default: ../shared/corpus/email)"),
    repeat=(int, 5, "rounds; medians are reported"),
)
def mail_bench(*, corpus: str, repeat: int) -> dict[str, Any]:
    mails = _corpus(corpus or os.environ.get("KEFU_BENCH_MAIL_CORPUS", "") or _default_corpus())
    if not mails:
        return {"error": "no .eml files found; pass --corpus PATH"}
    run = uuid.uuid4().hex[:8]
    counter = {"round": 0}

    def stdlib_parse() -> int:
        for data in mails:
            _stdlib(data)
        return len(mails)

    def kefu_parse() -> int:
        for data in mails:
            parse(data)
        return len(mails)

    statuses: dict[str, int] = {}

    def kefu_ingest() -> int:
        counter["round"] += 1
        # A fresh Message-ID per round and file, so every round creates and threads anew.
        for i, data in enumerate(mails):
            unique = f"Message-ID: <bench-{run}-{counter['round']}-{i}@kefu.bench>\r\n".encode()
            result = ingest(unique + data, source=MailSource.CLI)
            statuses[result.status] = statuses.get(result.status, 0) + 1
        return len(mails)

    baseline = rounds(stdlib_parse, repeat=repeat)
    parsed = rounds(kefu_parse, repeat=repeat)
    with tempfile.TemporaryDirectory(prefix="kefu-bench-mail-") as media, override_settings(MEDIA_ROOT=media):
        try:
            with transaction.atomic():
                ingested = rounds(kefu_ingest, repeat=repeat)
                raise _Rollback
        except _Rollback:
            pass
    return {
        "files": len(mails),
        "repeat": repeat,
        "database": str(settings.DATABASES["default"]["ENGINE"]).rsplit(".", 1)[-1],
        "ingest_mails_per_second": ingested["per_second_median"],
        "ingest_ms_per_mail_median": round(ingested["us_per_op_median"] / 1000, 2),
        "kefu_parse_mails_per_second": parsed["per_second_median"],
        "stdlib_parse_mails_per_second": baseline["per_second_median"],
        "kefu_parse_vs_stdlib": round(parsed["per_second_median"] / baseline["per_second_median"], 2),
        "ingest_vs_stdlib_parse": round(ingested["per_second_median"] / baseline["per_second_median"], 3),
        "outcomes_per_round": {k: v // repeat for k, v in sorted(statuses.items())},
        "ingest": ingested,
        "kefu_parse": parsed,
        "stdlib_parse": baseline,
    }
