"""Offset-preserving folding: match Simplified patterns on any input, report spans of the original.

``kefu.core.text.fold`` (NFKC, Traditional → Simplified, lower case) may change a string's length
(NFKC turns 「㈱」 into three characters), so matching on its output could point at the wrong
characters of the agent's draft.  :func:`aligned_fold` returns a string of exactly the input's length
whose i-th character is the folded i-th character of the input.
"""

from __future__ import annotations

from kefu.core.text import fold, to_traditional

__all__ = ["aligned_fold", "is_traditional", "to_traditional"]


def aligned_fold(text: str) -> str:
    """``fold(text)`` when it keeps the length (phrase-level conversion), else character by character."""
    whole = fold(text)
    if len(whole) == len(text):
        return whole
    out = []
    for ch in text:
        folded = fold(ch)
        out.append(folded if len(folded) == 1 else ch.lower())
    return "".join(out)


def is_traditional(text: str) -> bool:
    """Whether ``text`` has characters that fold to different Simplified ones (written in zh-Hant)."""
    t2s = fold(text)
    return any(a != b for a, b in zip(text.lower(), t2s, strict=False) if "\u4e00" <= a <= "\u9fff")
