"""Salutations the Chinese way (R17: 张先生 / 高小姐)."""

from __future__ import annotations

COMPOUND_SURNAMES = [
    "欧阳",
    "司马",
    "上官",
    "诸葛",
    "东方",
    "皇甫",
    "尉迟",
    "公孙",
    "慕容",
    "长孙",
    "令狐",
    "宇文",
    "夏侯",
    "司徒",
    "端木",
    "南宫",
    "西门",
    "独孤",
    "轩辕",
    "呼延",
    "歐陽",
    "司馬",
    "諸葛",
    "東方",
    "尉遲",
    "公孫",
    "長孫",
    "宇文",
    "夏侯",
    "南宮",
    "獨孤",
    "軒轅",
]


def surname_of(name: str) -> str:
    name = name.strip()
    if not name or not ("\u4e00" <= name[0] <= "\u9fff"):
        return ""
    for compound in COMPOUND_SURNAMES:
        if name.startswith(compound) and len(name) > len(compound):
            return compound
    return name[0]


def salutation_for(name: str, gender: str) -> str:
    """张三 + male → 张先生; 高洁 + female → 高女士; otherwise the name itself."""
    surname = surname_of(name)
    if surname and gender == "male":
        return f"{surname}先生"
    if surname and gender == "female":
        return f"{surname}女士"
    return name.strip()
