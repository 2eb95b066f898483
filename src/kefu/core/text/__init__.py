"""Chinese text: fold Traditional to Simplified, segment into words, index tokens.

``fold`` → ``segment`` → space-joined tokens is what search (SQLite FTS5 / PostgreSQL
``to_tsvector('simple')``) and the NLP of later issues index and match, so
「顧客退貨」 and 「顾客退货」 become the same tokens and 「退款」 stays one word.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources

import opencc
import rjieba

_lock = threading.Lock()
_PUNCT_OR_SPACE = re.compile(r"^[\s\W_]+$", re.UNICODE)
_custom_words: tuple[str, ...] = ()


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def _s2twp() -> opencc.OpenCC:
    return opencc.OpenCC("s2twp")


def to_traditional(text: str) -> str:
    """Simplified → Traditional (Taiwan standard with phrases: 软件 → 軟體) for zh-Hant
    readers. Only Chinese characters change, so HTML markup passes through unharmed."""
    with _lock:
        converted: str = _s2twp().convert(text)
    return converted


@lru_cache(maxsize=1)
def _segmenter() -> rjieba.Jieba:
    jieba = rjieba.Jieba()
    for word, freq, tag in service_words():
        jieba.add_word(word, freq, tag)
    for word in _custom_words:
        jieba.add_word(word, 20000, "n")
    return jieba


def set_custom_words(words: Iterable[str]) -> None:
    """Words an administrator added (the knowledge dictionary, synonym words): segmentation
    keeps each whole from now on, in this process. Folded first, like the text they match."""
    global _custom_words
    wanted = tuple(sorted({fold(w).strip() for w in words if w.strip()}))
    with _lock:
        if wanted != _custom_words:
            _custom_words = wanted
            _segmenter.cache_clear()


def service_words() -> list[tuple[str, int, str]]:
    """The domain dictionary (退货, 退款, 换货, 运费, 快递, 发票 …) shipped with kefu."""
    text = resources.files("kefu.core.text").joinpath("service_words.txt").read_text(encoding="utf-8")
    words = []
    for line in text.splitlines():
        parts = line.split()
        if not parts or parts[0].startswith("#"):
            continue
        word = parts[0]
        freq = int(parts[1]) if len(parts) > 1 else 20000
        tag = parts[2] if len(parts) > 2 else "n"
        words.append((word, freq, tag))
    return words


def fold(text: str) -> str:
    """Normalise for matching: NFKC (full-width → half-width), Traditional → Simplified,
    lower case."""
    normal = unicodedata.normalize("NFKC", text)
    with _lock:
        simplified: str = _t2s().convert(normal)
    return simplified.lower()


def segment(text: str) -> list[str]:
    """Words of ``text`` after folding, without punctuation and white space."""
    folded = fold(text)
    with _lock:
        words = _segmenter().cut(folded, True)
    return [w for w in words if w.strip() and not _PUNCT_OR_SPACE.match(w)]


def index_tokens(text: str) -> str:
    """Space-joined tokens, ready for FTS5 / ``to_tsvector('simple')``."""
    return " ".join(segment(text))


def search_words(text: str) -> list[str]:
    """Words of ``text`` after folding, each long word followed by the words inside it
    (rjieba's search mode: 快递单号 → 快递 单号 快递单号), so a two-character query word
    finds the longer words that contain it. What the message search (kefu.finder) indexes."""
    folded = fold(text)
    with _lock:
        words = _segmenter().cut_for_search(folded, True)
    return [w for w in words if w.strip() and not _PUNCT_OR_SPACE.match(w)]
