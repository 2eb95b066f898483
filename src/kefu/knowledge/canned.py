"""The default canned-reply library (seed 003 appendix, seed 002, seed 000) and variable filling."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from importlib import resources
from typing import Any

from django.db import transaction

from kefu.core.text import fold, to_traditional
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


ZH_HANT = "zh-hant"
ZH_HANS = "zh-hans"


def script_of(texts: list[str]) -> str:
    """``zh-hant`` when the texts are written in Traditional characters, else ``zh-hans``:
    characters that folding to Simplified changes give Traditional away."""
    sample = "".join(texts)[-2000:]
    folded = fold(sample)
    if len(folded) != len(sample):
        return ZH_HANS
    han = [c for c in sample if "\u4e00" <= c <= "\u9fff"]
    changed = sum(1 for a, b in zip(sample.lower(), folded, strict=True) if a != b and "\u4e00" <= a <= "\u9fff")
    return ZH_HANT if han and changed >= max(2, len(han) * 0.05) else ZH_HANS


def customer_language(conversation: Any) -> str:
    """The script a conversation's customer reads: the conversation's own ``language`` when
    one is recorded, else what the customer wrote last."""
    stated = str(getattr(conversation, "language", "") or "").lower()
    if stated.startswith("zh"):
        return ZH_HANT if any(t in stated for t in ("hant", "tw", "hk", "mo")) else ZH_HANS
    texts = list(
        conversation.messages.filter(author_kind="customer").order_by("-pk").values_list("text", flat=True)[:10]
    )
    return script_of(texts)


def order_values(conversation: Any) -> dict[str, str]:
    """{订单号} {快递公司} {快递单号} {预计发货} {预计到货} {发货到货} from the order linked to the
    conversation, if any."""
    try:
        from kefu.aftersales.selectors import linked_order, template_values
    except ImportError:  # the orders app is optional for the library
        return {}
    order = linked_order(conversation=conversation)
    if order is None:
        return {}
    return {k: str(v or "") for k, v in template_values(order).items()}


def picker_items(conversation: Any, agent: Any, replies: Any) -> list[dict[str, Any]]:
    """What the composer's ``/`` picker offers: ``replies`` with variables filled for this
    conversation, in Traditional characters for a zh-Hant customer; the note stays apart."""
    customer = conversation.customer
    values = {
        "客服名": getattr(agent, "display_name", "") or str(agent),
        "客户称呼": customer.display_salutation or customer.name,
        "店铺名": conversation.channel.shop.name if conversation.channel.shop else "",
        **order_values(conversation),
    }
    hant = customer_language(conversation) == ZH_HANT
    items = []
    for r in replies:
        text = fill(r.text, values)
        items.append(
            {
                "id": r.pk,
                "shortcut": r.shortcut,
                "title": r.title,
                "category": r.get_category_display(),
                "text": to_traditional(text) if hant else text,
                "note": r.note,
            }
        )
    return items
