"""Search tokens: fold → segment (with the administrator's dictionary) → synonyms to one form.

The same function tokenises articles at index time and queries at search time, so 「快遞」,
「物流」 and 「包裹」 all become 「快递」 when the synonym group 快递=物流=包裹 exists.
Each process caches the dictionary and synonyms and reloads them when ``Lexicon.stamp`` changes.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from kefu.core.text import fold, segment, set_custom_words
from kefu.knowledge.models import Lexicon, SearchWord, SynonymGroup

# Words too common to tell articles apart; dropped from queries (kept in the index).
_STOP = """
的 了 吗 呢 吧 啊 呀 哦 嘛 么 是 在 有 和 与 及 或 我 你 您 他 她 它 我们 你们 亲 请 请问 一下 这个 那个
什么 怎么 怎么办 怎样 如何 可以 能 能不能 会 要 想 我要 我想 还 也 都 就 多少 几 哪 哪里 哪个 为什么
一个 个 把 被 给 让 对 从 到 上 下 里 中 不 没 没有 a an the is are of to
"""
STOP_WORDS = frozenset(_STOP.split())


@dataclass
class _State:
    stamp: str | None = None
    canonical: dict[str, str] = field(default_factory=dict)
    groups: dict[str, tuple[str, ...]] = field(default_factory=dict)


_state = _State()
_lock = threading.Lock()


def current_stamp() -> str:
    row = Lexicon.objects.filter(pk=1).values_list("stamp", flat=True).first()
    return row or ""


def refresh() -> None:
    """Reload the dictionary and synonyms if another process (or this one) changed them."""
    stamp = current_stamp()
    if stamp == _state.stamp:
        return
    with _lock:
        words = list(SearchWord.objects.values_list("word", flat=True))
        canonical: dict[str, str] = {}
        groups: dict[str, tuple[str, ...]] = {}
        for group in SynonymGroup.objects.order_by("pk"):
            members = tuple(dict.fromkeys(fold(w) for w in group.word_list))
            if len(members) < 2:
                continue
            words.extend(members)
            for word in members:
                canonical.setdefault(word, members[0])
                groups[word] = members
        set_custom_words(words)
        _state.canonical = canonical
        _state.groups = groups
        _state.stamp = stamp


def tokens(text: str, *, fresh: bool = False) -> list[str]:
    """The search tokens of ``text`` (index and query alike). ``fresh=True``: the caller has
    just called :func:`refresh` (bulk tokenising skips the stamp read per text)."""
    if not fresh:
        refresh()
    canonical = _state.canonical
    return [canonical.get(word, word) for word in segment(text)]


def query_tokens(text: str) -> list[str]:
    """Distinct tokens of a query without stop words (all of them if only stop words remain)."""
    found = list(dict.fromkeys(tokens(text)))
    meaningful = [t for t in found if t not in STOP_WORDS]
    return meaningful or found


def surface_forms(token: str) -> tuple[str, ...]:
    """Every folded word a token stands for (the synonym group, or just itself)."""
    return _state.groups.get(token, (token,))
