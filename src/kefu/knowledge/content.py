"""Article HTML: sanitise what authors write (nh3), derive plain text, build highlighted snippets."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

import nh3
from django.utils.html import escape

from kefu.core.text import fold

TAGS = {
    "p", "br", "hr", "strong", "b", "em", "i", "u", "s", "mark", "sub", "sup", "small",
    "h2", "h3", "h4", "ul", "ol", "li", "blockquote", "pre", "code",
    "table", "thead", "tbody", "tr", "th", "td", "a", "img",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "width", "height"}, "th": {"colspan"}, "td": {"colspan"}}
_BLOCK = re.compile(r"<(/?)(p|br|hr|li|h[1-6]|tr|td|th|div|blockquote|pre)\b", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\r\f\v]+")
_LINES = re.compile(r"\n\s*\n+")


def sanitise(body: str) -> str:
    """The HTML kefu stores and renders: formatting, links, images; no scripts, styles, handlers."""
    return nh3.clean(
        body,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer nofollow",
    ).strip()


def plain_text(body: str) -> str:
    """The readable text of article HTML (block elements become line breaks)."""
    marked = _BLOCK.sub(lambda m: "\n<" + m.group(1) + m.group(2), body)
    text = html.unescape(nh3.clean(marked, tags=set()))
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return _LINES.sub("\n", "\n".join(line for line in lines if line)).strip()


def _spans(folded: str, words: Iterable[str]) -> list[tuple[int, int]]:
    found: list[tuple[int, int]] = []
    for word in sorted({w for w in words if w}, key=len, reverse=True):
        start = folded.find(word)
        while start != -1:
            end = start + len(word)
            if not any(s < end and start < e for s, e in found):
                found.append((start, end))
            start = folded.find(word, end)
    return sorted(found)


def snippet(text: str, words: Iterable[str], *, width: int = 90) -> str:
    """Escaped text around the first match with every match wrapped in ``<mark>``.

    Matching happens on folded text (so 「退貨」 highlights for 「退货」); when folding changed
    the length, positions are taken from the folded text itself."""
    text = " ".join(text.split())
    folded = fold(text)
    if len(folded) != len(text):
        text = folded
    spans = _spans(folded, words)
    start = 0
    if spans:
        start = max(0, spans[0][0] - width // 4)
    end = min(len(text), start + width)
    parts: list[str] = ["…" if start > 0 else ""]
    cursor = start
    for s, e in spans:
        if s < cursor or e > end:
            continue
        parts.append(str(escape(text[cursor:s])))
        parts.append(f"<mark>{escape(text[s:e])}</mark>")
        cursor = e
    parts.append(str(escape(text[cursor:end])))
    if end < len(text):
        parts.append("…")
    return "".join(parts)
