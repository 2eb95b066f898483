"""The default canned-reply library (seed 003 appendix, seed 002, seed 000) and variable filling."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from importlib import resources
from typing import Any

from django.db import transaction

from kefu.knowledge.models import CannedReply

VARIABLE = re.compile(r"\{([^{}\s]{1,20})\}")
KNOWN_VARIABLES = ("客服名", "客户称呼", "店铺名", "订单号", "快递公司", "快递单号")
# The seed authors' stage directions inside a phrase: （给链接） (表情) (十大合作理由!) …
AUTHOR_NOTE = re.compile(r"\s*[(（]([^()（）]{1,60})[)）]")


def split_note(text: str) -> tuple[str, str]:
    """Move the authors' notes in parentheses out of a phrase: ``(text to send, note)``.
    The note is shown to the agent and never sent."""
    notes = [m.group(1).strip() for m in AUTHOR_NOTE.finditer(text)]
    clean = AUTHOR_NOTE.sub("", text).strip()
    clean = re.sub(r"([,，])\s*([,，。.])", r"\2", clean)
    clean = re.sub(r"。。", "。", clean)
    return clean, "；".join(notes)


def default_library() -> list[dict[str, Any]]:
    raw = resources.files("kefu.knowledge").joinpath("data/canned_replies.json").read_text(encoding="utf-8")
    data: list[dict[str, Any]] = json.loads(raw)
    return data


def load_default_library() -> int:
    """Install the shipped phrases; existing ones (possibly edited) are left alone."""
    created = 0
    with transaction.atomic():
        for item in default_library():
            text, note = split_note(item["text"])
            _obj, was_created = CannedReply.objects.get_or_create(
                key=item["key"],
                defaults={
                    "category": item["category"],
                    "title": item["title"],
                    "text": text,
                    "note": note,
                    "shortcut": item.get("shortcut", ""),
                    "source": item.get("source", ""),
                },
            )
            created += was_created
    return created


def fill(text: str, values: Mapping[str, str]) -> str:
    """Replace ``{变量}`` with its value; unknown or missing variables stay visible so the
    agent sees what to fill in by hand."""
    return VARIABLE.sub(lambda m: str(values.get(m.group(1)) or m.group(0)), text)
