"""Auto-replies and bounces: recognised, recorded, never answered automatically.

* Auto-replies (RFC 3834 and what real systems send): ``Auto-Submitted`` other than ``no``,
  ``X-Autoreply`` / ``X-Autorespond`` / ``X-Auto-Response-Suppress: OOF``-style headers,
  ``Precedence: bulk | auto_reply | list | junk``, and subjects like 自动回复 / Auto-Reply /
  Out of Office.
* Bounces: ``multipart/report; report-type=delivery-status`` with a recipient whose ``Action``
  is ``failed`` (or a 5.x.x status) — a delayed (4.x.x) report is *not* a bounce — and the
  classic non-DSN bounces from ``MAILER-DAEMON`` / ``postmaster`` with a failure subject.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.message import Message

_AUTO_SUBJECT = re.compile(
    r"^\s*(\[?(自动回复|自動回覆|自動回复|自动答复|自動返信|自動応答|休假|不在)|"
    r"(auto(matic)?[ -]?(reply|response|answer))|autoreply|out of (the )?office|abwesenheit|réponse automatique)",
    re.IGNORECASE,
)
_BOUNCE_SUBJECT = re.compile(
    r"(undeliver|delivery (status notification|has failed|failure)|mail delivery failed|returned mail|"
    r"failure notice|delivery failure|退信|投递失败|未能送达|无法投递|系统退信|無法傳遞|配信エラー|配送失敗)",
    re.IGNORECASE,
)
_DAEMON = re.compile(r"^(mailer-daemon|postmaster|mail-daemon|mailerdaemon|bounce[s]?)@", re.IGNORECASE)
_ADDRESS = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


@dataclass
class Classification:
    is_auto_reply: bool = False
    is_bounce: bool = False
    bounce_recipients: list[str] = field(default_factory=list)
    bounce_status: str = ""
    reason: str = ""


def _auto_reply_reason(msg: Message, subject: str) -> str:
    auto = str(msg.get("auto-submitted") or "").strip().lower()
    if auto and not auto.startswith("no"):
        return f"Auto-Submitted: {auto[:40]}"
    for name in ("x-autoreply", "x-autorespond", "x-autoresponse", "x-auto-reply"):
        if msg.get(name) is not None:
            return name
    precedence = str(msg.get("precedence") or "").strip().lower()
    if precedence in ("bulk", "auto_reply", "list", "junk", "auto-reply"):
        return f"Precedence: {precedence}"
    if str(msg.get("x-auto-response-suppress") or "").strip().lower() in ("oof", "autoreply"):
        return "X-Auto-Response-Suppress"
    if _AUTO_SUBJECT.search(subject):
        return "subject"
    return ""


def _status_fields(report: Message) -> list[Message]:
    fields: list[Message] = []
    for part in report.walk():
        if part.get_content_type() in ("message/delivery-status", "message/global-delivery-status"):
            payload = part.get_payload()
            if isinstance(payload, list):
                fields.extend(p for p in payload if isinstance(p, Message))
    return fields


def _dsn(reports: list[Message]) -> tuple[bool, list[str], str]:
    failed: list[str] = []
    status = ""
    seen_any = False
    for report in reports:
        if str(report.get_param("report-type") or "").lower() not in ("delivery-status", ""):
            continue
        for block in _status_fields(report):
            action = str(block.get("action") or "").strip().lower()
            code = str(block.get("status") or "").strip()
            if not action and not code:
                continue
            seen_any = True
            if action == "failed" or (code.startswith("5") and action not in ("delayed", "delivered", "relayed")):
                recipient = str(block.get("final-recipient") or block.get("original-recipient") or "")
                found = _ADDRESS.search(recipient)
                if found:
                    failed.append(found.group(0).lower())
                status = status or code
    return seen_any, failed, status


def classify(msg: Message, subject: str, sender: str, reports: list[Message], text: str) -> Classification:
    seen, failed, status = _dsn(reports)
    if failed or (status and status.startswith("5")):
        return Classification(is_bounce=True, bounce_recipients=sorted(set(failed)), bounce_status=status, reason="DSN")
    if seen:  # a delay or success report: recorded as automatic, not a bounce
        return Classification(is_auto_reply=True, reason="delivery report")
    if _DAEMON.match(sender or "") and _BOUNCE_SUBJECT.search(subject):
        found = [a.lower() for a in _ADDRESS.findall(text) if not _DAEMON.match(a)]
        return Classification(is_bounce=True, bounce_recipients=sorted(set(found))[:20], reason="mailer-daemon")
    reason = _auto_reply_reason(msg, subject)
    if reason:
        return Classification(is_auto_reply=True, reason=reason)
    return Classification()
