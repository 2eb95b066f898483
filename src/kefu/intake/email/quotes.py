"""Separate the customer's new text from quoted history and the signature.

Covers the clients Chinese and international customers use: Gmail/Apple ("On … wrote:",
"…于2024年1月2日 写道：", "在 … 写道："), Outlook ("From: … Sent: …", "发件人: … 发送时间: …",
"-----Original Message-----", "-----原始邮件-----"), QQ/Foxmail ("------------------ 原始邮件
------------------"), Japanese ("…さんは書きました:") and ">"-quoted blocks.  Interleaved answers
(text between quoted lines) are never cut.  Nothing is thrown away: the caller keeps the full text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_HEADER_LINE = [
    re.compile(
        r"^\s*-{2,}\s*(原始邮件|原始郵件|Original Message|Ursprüngliche Nachricht|元のメッセージ)\s*-{2,}\s*$", re.I
    ),
    re.compile(r"^.{0,120}(写道|寫道|書きました|작성)\s*[:：]?\s*$"),
    re.compile(r"^\s*(在|于|於).{0,120}(写道|寫道)\s*[:：]?\s*$"),
    re.compile(r"^\s*On\b.{0,250}\bwrote\s*:\s*$", re.I),
    re.compile(r"^\s*Le\b.{0,200}a écrit\s*:\s*$", re.I),
    re.compile(r"^\s*Am\b.{0,200}schrieb.{0,80}:\s*$", re.I),
]
_FROM = re.compile(r"^\s*\*?(From|发件人|發件人|寄件者|差出人|De|Von)\s*\*?\s*[:：]", re.I)
_SENT = re.compile(
    r"^\s*\*?(Sent|Date|发送时间|發送時間|日期|时间|時間|寄件日期|送信日時|日時|Envoyé|Gesendet)\s*\*?\s*[:：]", re.I
)
_TO_OR_SUBJECT = re.compile(
    r"^\s*\*?(To|Subject|收件人|主题|主旨|收件者|宛先|件名|À|Objet|An|Betreff)\s*\*?\s*[:：]", re.I
)
_RULE = re.compile(r"^\s*_{8,}\s*$")
_SIG_DELIMITER = re.compile(r"^(-- ?|—— ?)$")
_MOBILE_FOOTER = re.compile(
    r"^\s*(发自我的|發自我的|来自我的|來自我的|从我的|從我的|Sent from my|Get Outlook for|Envoyé de mon|iPhoneから)",
    re.I,
)


@dataclass(frozen=True)
class Split:
    new: str
    quoted: str
    signature: str


def _is_outlook_block(lines: list[str], i: int) -> bool:
    if not _FROM.match(lines[i]):
        return False
    window = lines[i + 1 : i + 7]
    return any(_SENT.match(line) for line in window) and any(_TO_OR_SUBJECT.match(line) for line in window)


def _quote_start(lines: list[str]) -> int | None:
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        if any(p.match(line) for p in _HEADER_LINE):
            return i
        # "On Tue, 2 Jan 2024 at 10:00, Zhang San <zs@example.com>" + "wrote:" on the next lines
        if re.match(r"^\s*(On|在|于)\b", line, re.I) and any(
            p.match(" ".join(part.strip() for part in lines[i : i + n])) for p in _HEADER_LINE[1:4] for n in (2, 3)
        ):
            return i
        if _RULE.match(line) and i + 1 < len(lines) and (_FROM.match(lines[i + 1]) or _is_outlook_block(lines, i + 1)):
            return i
        if _is_outlook_block(lines, i):
            return i
        if line.lstrip().startswith(">") and all(not r.strip() or r.lstrip().startswith(">") for r in lines[i:]):
            return i
    return None


def split_reply(text: str) -> Split:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    start = _quote_start(lines)
    new_lines, quoted = (lines, "") if start is None else (lines[:start], "\n".join(lines[start:]).strip())
    signature = ""
    for i in range(len(new_lines) - 1, -1, -1):
        if _SIG_DELIMITER.match(new_lines[i].rstrip("\n")) and i > 0:
            signature = "\n".join(new_lines[i + 1 :]).strip()
            new_lines = new_lines[:i]
            break
    while new_lines and not new_lines[-1].strip():
        new_lines.pop()
    if new_lines and _MOBILE_FOOTER.match(new_lines[-1]):
        signature = "\n".join([new_lines.pop().strip(), signature]).strip()
    new = "\n".join(new_lines).strip()
    if not new:  # all of it looked like a quote: show everything rather than nothing
        return Split(new=text.strip(), quoted="", signature="")
    return Split(new=new, quoted=quoted, signature=signature)
