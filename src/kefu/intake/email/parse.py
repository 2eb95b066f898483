"""Parse a raw mail (bytes) into what the help desk needs, like a mail client would.

Never raises on any input: every problem becomes a ``defects`` entry and the best reading.
The stdlib parser runs with a compat32-based policy that hands back headers as they were on
the wire (8-bit bytes as surrogates), so decoding decisions are ours: charset supersets
(:mod:`.charsets`), joined encoded-words (:mod:`.headers`), lenient transfer decoding.
"""

from __future__ import annotations

import base64
import binascii
import email
import email.utils
import quopri
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.generator import BytesGenerator
from email.message import Message
from email.policy import Compat32
from io import BytesIO
from typing import Any

from kefu.core.inputs import strip_text
from kefu.intake.email import charsets
from kefu.intake.email.classify import Classification, classify
from kefu.intake.email.headers import decode_header, decode_rfc2231, message_ids, parse_addresses
from kefu.intake.email.htmltext import html_to_text, meta_charset, sanitise
from kefu.intake.email.quotes import split_reply

MAX_DEPTH = 40
MAX_ATTACHMENTS = 1000
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f]")
_TOKEN = re.compile(r"[a-z0-9][a-z0-9._-]*")


class _WirePolicy(Compat32):
    """compat32, but headers are returned exactly as parsed (no ``Header`` objects)."""

    def header_fetch_parse(self, name: str, value: str) -> str:
        return value


WIRE = _WirePolicy(linesep="\r\n")


@dataclass
class Attachment:
    name: str
    content_type: str
    data: bytes
    content_id: str = ""
    inline: bool = False

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass
class ParsedMail:
    subject: str = ""
    from_name: str = ""
    from_address: str = ""
    to: list[tuple[str, str]] = field(default_factory=list)
    cc: list[tuple[str, str]] = field(default_factory=list)
    reply_to: list[tuple[str, str]] = field(default_factory=list)
    delivered_to: list[str] = field(default_factory=list)
    message_id: str = ""
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    date: datetime | None = None
    text: str = ""  # the whole text body (a version of the HTML when there is no text part)
    html: str = ""  # the decoded HTML as sent (for "view original"); never shown unsanitised
    html_safe: str = ""
    new_text: str = ""
    quoted: str = ""
    signature: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    classification: Classification = field(default_factory=Classification)
    charset: str = ""
    defects: list[str] = field(default_factory=list)

    @property
    def attachment_names(self) -> list[str]:
        return [a.name for a in self.attachments]


@dataclass
class _Body:
    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)


@dataclass
class _Context:
    hint: str | None
    defects: list[str]
    reports: list[Message] = field(default_factory=list)
    count: int = 0


def _first_charset(msg: Message) -> str | None:
    for part in msg.walk():
        label = part.get_param("charset")
        if isinstance(label, str) and charsets.codec_for(label) not in (None, "ascii", "cp1252"):
            return label
    for part in msg.walk():
        label = part.get_param("charset")
        if isinstance(label, str) and charsets.codec_for(label):
            return label
    return None


def _payload_bytes(part: Message, defects: list[str]) -> bytes:
    # The payload as parsed (get_payload() would re-decode 8-bit text with the declared charset).
    payload = getattr(part, "_payload", None)
    if isinstance(payload, list):
        return b""
    raw = payload.encode("ascii", "surrogateescape") if isinstance(payload, str) else bytes(payload or b"")
    cte_header = str(part.get("content-transfer-encoding") or "").strip().lower()
    match = _TOKEN.match(cte_header)
    cte = match.group(0) if match else ""
    if cte in ("", "7bit", "8bit", "binary"):
        return raw
    if "base64" in cte:
        data = re.sub(rb"[^A-Za-z0-9+/]", b"", raw)
        if len(data) % 4 == 1:
            data = data[:-1]
        data += b"=" * (-len(data) % 4)
        try:
            return base64.b64decode(data)
        except (binascii.Error, ValueError):
            defects.append("bad base64")
            return raw
    if "quoted-printable" in cte or cte == "qp":
        return quopri.decodestring(raw)
    if cte in ("x-uuencode", "uuencode", "x-uue", "uue"):
        decoded = part.get_payload(decode=True)
        return decoded if isinstance(decoded, bytes) else raw
    defects.append(f"unknown transfer encoding {cte[:40]}")
    return raw


def _disposition(part: Message) -> str:
    value = str(part.get("content-disposition") or "").strip().lower()
    return value.split(";", 1)[0].strip()


def _param(part: Message, name: str, header: str, hint: str | None) -> str:
    value = part.get_param(name, header=header)
    if value is None:
        return ""
    if isinstance(value, tuple):
        charset, _lang, text = value
        return decode_rfc2231(charset, text, hint)
    return decode_header(email.utils.unquote(str(value)), hint)


def clean_filename(name: str) -> str:
    """What is safe as a file name: no path, no control characters, at most 200 characters."""
    name = _UNSAFE_NAME.sub("", name)
    for bad in ("..", "/", "\\", ":"):
        name = name.replace(bad, "")
    name = name.strip().strip(".").strip()
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 190 - len(ext)] + dot + ext) if dot and len(ext) <= 10 else name[:200]
    return name


def _filename(part: Message, hint: str | None) -> str:
    name = _param(part, "filename", "content-disposition", hint) or _param(part, "name", "content-type", hint)
    return clean_filename(name)


_EXT = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    "image/webp": "webp",
    "application/pdf": "pdf",
    "text/plain": "txt",
    "text/html": "html",
    "text/calendar": "ics",
    "message/rfc822": "eml",
}


def _decode_text(part: Message, data: bytes, ctx: _Context, *, html: bool = False) -> str:
    label = part.get_param("charset")
    label = label if isinstance(label, str) else None
    if html and not label:
        label = meta_charset(data)
    text, _codec = charsets.decode(data, label, hint=ctx.hint)
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")


def _serialise(msg: Message) -> bytes:
    out = BytesIO()
    try:
        BytesGenerator(out, mangle_from_=False, policy=WIRE).flatten(msg)
    except (LookupError, UnicodeError, ValueError, TypeError, AttributeError):
        return b""
    return out.getvalue()


def _walk(part: Message, depth: int, ctx: _Context) -> _Body:
    body = _Body()
    ctype = part.get_content_type()
    maintype = part.get_content_maintype()
    if ctype in ("message/delivery-status", "message/global-delivery-status", "text/rfc822-headers"):
        return body  # read by classify() for bounces; not the customer's text, not an attachment
    if part.is_multipart():
        if depth >= MAX_DEPTH:
            ctx.defects.append(f"multipart nesting deeper than {MAX_DEPTH} levels; the rest kept in the raw mail")
            return body
        children = [c for c in part.get_payload() if isinstance(c, Message)]
        if ctype == "multipart/report":
            ctx.reports.append(part)
        if ctype == "message/rfc822" or maintype == "message":
            return _attach_message(part, children, ctx)
        bodies = [_stray_first_part(part, ctx)] if _has_stray_first_part(part) else []
        for index, child in enumerate(children):
            bodies.append(_walk(child, depth + 1, ctx))
            if _swallows_rest(child) and index + 1 < len(children):
                # An attached mail whose own multipart never starts: read as a streaming
                # parser does, its unterminated body runs to the end, over the later parts.
                ctx.defects.append("attached message without its multipart body; later parts kept in the raw mail")
                break
        if ctype == "multipart/alternative" and _all_plain(bodies):
            # Only text/plain readings (a client shows them all): keep every part's text, in order.
            body.plain = list(dict.fromkeys(t for b in bodies for t in b.plain))
            for b in bodies:
                body.attachments.extend(b.attachments)
            return body
        if ctype == "multipart/alternative":
            plain = next((b.plain for b in bodies if b.plain), [])
            html = next((b.html for b in reversed(bodies) if b.html), [])
            body.plain, body.html = list(plain), list(html)
            for b in bodies:
                body.attachments.extend(b.attachments)
            return body
        for b in bodies:
            if not b.plain and b.html:
                b.plain = [html_to_text(h) for h in b.html]
            body.plain.extend(b.plain)
            body.html.extend(b.html)
            body.attachments.extend(b.attachments)
        return body
    ctx.count += 1
    disposition = _disposition(part)
    name = _filename(part, ctx.hint)
    if maintype == "text" and disposition != "attachment" and not name:
        data = _payload_bytes(part, ctx.defects)
        if ctype == "text/html":
            body.html.append(_decode_text(part, data, ctx, html=True))
            return body
        if ctype in ("text/plain", "text/enriched", "text/richtext", "text/x-plain"):
            text = _decode_text(part, data, ctx)
            if ctype != "text/plain":
                text = re.sub(r"<[^>\n]{1,40}>", "", text)
            body.plain.append(text)
            return body
    if ctx.count > MAX_ATTACHMENTS:
        ctx.defects.append(f"more than {MAX_ATTACHMENTS} parts; the rest kept in the raw mail")
        return body
    data = _payload_bytes(part, ctx.defects)
    content_id = str(part.get("content-id") or "").strip().strip("<>")[:200]
    if not name:
        name = f"{'image' if maintype == 'image' else 'attachment'}-{ctx.count}.{_EXT.get(ctype, 'bin')}"
    body.attachments.append(
        Attachment(
            name=name, content_type=ctype[:100], data=data, content_id=content_id, inline=disposition == "inline"
        )
    )
    return body


def _all_plain(bodies: list[_Body]) -> bool:
    """Every reading of an alternative is plain text (no HTML, no other reading)."""
    return len(bodies) > 1 and all(b.plain and not b.html for b in bodies)


def _has_stray_first_part(part: Message) -> bool:
    """Headers of a multipart and of its first part run together (no boundary between them):
    the part's text is left in the preamble, under a second Content-Type."""
    preamble = part.preamble or ""
    return len(part.get_all("content-type") or []) > 1 and bool(preamble.strip())


def _stray_first_part(part: Message, ctx: _Context) -> _Body:
    second = str((part.get_all("content-type") or ["", ""])[1])
    charset = re.search(r"charset\s*=\s*\"?([A-Za-z0-9_.:\-]+)", second)
    data = (part.preamble or "").encode("ascii", "surrogateescape")
    text = charsets.decode(data, charset.group(1) if charset else None, hint=ctx.hint)[0].strip()
    if "html" in second.lower():
        return _Body(html=[text])
    return _Body(plain=[text])


def _swallows_rest(child: Message) -> bool:
    if child.get_content_maintype() != "message":
        return False
    payload = child.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload else None
    return (
        isinstance(inner, Message)
        and inner.get_content_maintype() == "multipart"
        and not inner.is_multipart()
        and any(type(d).__name__ == "StartBoundaryNotFoundDefect" for d in inner.defects)
    )


def _attach_message(part: Message, children: list[Message], ctx: _Context) -> _Body:
    """An attached mail (message/rfc822): one attachment, its body is not the customer's text."""
    ctx.count += 1
    inner = children[0] if children else None
    name = _filename(part, ctx.hint)
    if not name and inner is not None:
        name = clean_filename(decode_header(inner.get("subject"), ctx.hint))[:180]
        name = f"{name or 'message'}.eml"
    data = _serialise(inner) if inner is not None else b""
    return _Body(attachments=[Attachment(name=name or "message.eml", content_type="message/rfc822", data=data)])


def _parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(decode_header(value))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def _header(msg: Message, name: str) -> str:
    value = msg.get(name)
    return str(value) if value is not None else ""


_HEADER_NAME = re.compile(rb"^[!-9;-~]+:")


def repair_headers(raw: bytes) -> bytes:
    """Lines in the header block that are neither ``Name: value`` nor a continuation (a folded
    line that lost its leading blank, e.g. a literal ``\\t``) are taken as continuations, as
    mail clients do, instead of ending the headers there and turning the rest into body."""
    end = min((i for i in (raw.find(b"\r\n\r\n"), raw.find(b"\n\n")) if i >= 0), default=len(raw))
    head = raw[:end]
    lines = head.split(b"\n")
    start = 1 if lines and lines[0].startswith(b"From ") else 0  # an mbox "From " line
    if all(not line.strip(b"\r") or line[:1] in (b" ", b"\t") or _HEADER_NAME.match(line) for line in lines[start:]):
        return raw
    fixed = lines[:start]
    for i, line in enumerate(lines[start:], start):
        if line[:1] in (b" ", b"\t") or _HEADER_NAME.match(line) or not line.strip(b"\r"):
            fixed.append(line)
        elif i == start:
            fixed.append(b"X-Kefu-Malformed: " + line)
        else:
            fixed.append(b" " + line)
    return b"\n".join(fixed) + raw[end:]


def parse(raw: bytes) -> ParsedMail:
    """Parse raw RFC 5322 bytes; never raises.  NUL and lone surrogates are stripped from every
    text (a mail cannot be refused once it has arrived; the databases refuse them)."""
    return _clean(_parse(raw))


def _parse(raw: bytes) -> ParsedMail:
    result = ParsedMail()
    try:
        repaired = repair_headers(raw)
        if repaired is not raw:
            result.defects.append("header lines without a name were read as continuations")
        msg = email.message_from_bytes(repaired, policy=WIRE)
    except (RecursionError, MemoryError, ValueError, TypeError, IndexError) as exc:
        result.defects.append(f"unparseable ({type(exc).__name__}); shown as plain text")
        result.text, result.charset = charsets.decode(raw)
        result.new_text = result.text
        return result
    try:
        _fill(result, msg)
    except RecursionError:
        result.defects.append("structure too deep to read; shown as plain text")
        result.text = charsets.decode(raw)[0]
        result.new_text = result.text
    return result


def _clean(result: ParsedMail) -> ParsedMail:
    for name, value in vars(result).items():
        if isinstance(value, str):
            setattr(result, name, strip_text(value))
        elif isinstance(value, list):
            setattr(
                result,
                name,
                [
                    strip_text(v)
                    if isinstance(v, str)
                    else tuple(strip_text(x) for x in v)
                    if isinstance(v, tuple)
                    else v
                    for v in value
                ],
            )
    for attachment in result.attachments:
        attachment.name = strip_text(attachment.name)
        attachment.content_type = strip_text(attachment.content_type)
    return result


def _fill(result: ParsedMail, msg: Message) -> None:
    hint = _first_charset(msg)
    result.charset = charsets.codec_for(hint) or ""
    defects = [type(d).__name__ for d in getattr(msg, "defects", [])]
    ctx = _Context(hint=hint, defects=[*result.defects, *defects])
    result.subject = decode_header(_header(msg, "subject"), hint)
    senders = parse_addresses(_header(msg, "from"), hint) or parse_addresses(_header(msg, "sender"), hint)
    if senders:
        result.from_name, result.from_address = senders[0]
    elif _header(msg, "from"):
        result.from_name = decode_header(_header(msg, "from"), hint)
    result.to = parse_addresses(", ".join(msg.get_all("to") or []), hint)
    result.cc = parse_addresses(", ".join(msg.get_all("cc") or []), hint)
    result.reply_to = parse_addresses(_header(msg, "reply-to"), hint)
    for name in ("delivered-to", "x-original-to", "envelope-to"):
        for value in msg.get_all(name) or []:
            result.delivered_to.extend(addr for _n, addr in parse_addresses(str(value)))
    ids = message_ids(_header(msg, "message-id"))
    result.message_id = ids[0] if ids else ""
    result.in_reply_to = message_ids(_header(msg, "in-reply-to"))
    result.references = message_ids(" ".join(str(v) for v in msg.get_all("references") or []))
    result.date = _parse_date(_header(msg, "date"))
    body = _walk(msg, 0, ctx)
    if msg.get_content_type() == "message/rfc822" and not body.plain and not body.html:
        result.defects.append("the whole mail is an attached message")
    result.text = "\n\n".join(t.strip("\n") for t in body.plain if t.strip()).strip("\n")
    result.html = "\n".join(body.html)
    if result.html:
        result.html_safe = sanitise(result.html)
        if not result.text:
            result.text = html_to_text(result.html)
    result.attachments = body.attachments
    split = split_reply(result.text)
    result.new_text, result.quoted, result.signature = split.new, split.quoted, split.signature
    result.classification = classify(msg, result.subject, result.from_address, ctx.reports, result.text)
    result.defects = ctx.defects


def parse_summary(parsed: ParsedMail) -> dict[str, Any]:
    return {
        "subject": parsed.subject,
        "from_name": parsed.from_name,
        "from_address": parsed.from_address,
        "text": parsed.new_text,
        "attachments": parsed.attachment_names,
    }
