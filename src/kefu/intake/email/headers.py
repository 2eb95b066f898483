"""Header decoding the way a mail client does it.

Headers arrive as ``str`` with 8-bit bytes kept as surrogates (``surrogateescape``), so raw
UTF-8 or GBK headers without any encoding can still be told apart and decoded.  RFC 2047
encoded-words are joined before decoding when adjacent words share a charset, so a GBK or
UTF-8 character split across two words (Outlook, Foxmail and many web mailers do that) comes
out whole.
"""

from __future__ import annotations

import base64
import binascii
import email.utils
import inspect
import re
from urllib.parse import unquote_to_bytes

from kefu.intake.email import charsets

ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?]*?)\?=")
_FOLD = re.compile(r"\r?\n(?=[ \t])")
_QP = re.compile(rb"=([0-9A-Fa-f]{2})")
_ADDR_IN_ANGLES = re.compile(r"<\s*([^<>\s]+@[^<>\s]+?)\s*>")
_VALID = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")
_HAS_STRICT = "strict" in inspect.signature(email.utils.getaddresses).parameters
_BARE_ADDR = re.compile(r"[^\s<>\"',;:()\[\]]+@[^\s<>\"',;:()\[\]]+")


def raw_bytes(value: str) -> bytes:
    """The header's bytes as they were on the wire."""
    return value.encode("utf-8", "surrogateescape")


def _text_bytes(value: str) -> bytes:
    return value.encode("ascii", "surrogateescape") if _is_escaped(value) else value.encode("utf-8")


def _is_escaped(value: str) -> bool:
    return all(ord(ch) < 128 or 0xDC80 <= ord(ch) <= 0xDCFF for ch in value)


def _decode_q(text: str) -> bytes:
    data = _text_bytes(text).replace(b"_", b" ")
    return _QP.sub(lambda m: bytes([int(m.group(1), 16)]), data)


def _decode_b(text: str) -> bytes:
    data = re.sub(r"[^A-Za-z0-9+/=_-]", "", text).rstrip("=")
    data = data.replace("-", "+").replace("_", "/")
    data += "=" * (-len(data) % 4)
    try:
        return base64.b64decode(data)
    except (binascii.Error, ValueError):
        # a broken last group: keep what decodes
        for cut in range(1, 4):
            try:
                return base64.b64decode(data[: len(data) - 4 * cut] or "")
            except (binascii.Error, ValueError):
                continue
        return b""


def _plain(segment: str, fallback: str | None) -> str:
    if segment.isascii():
        return segment
    if not _is_escaped(segment):
        return segment  # already text (a header we built ourselves)
    return charsets.decode(_text_bytes(segment), None, hint=fallback)[0]


def decode_header(value: str | None, fallback: str | None = None) -> str:
    """Decode one header value to text; ``fallback`` is a charset label for raw 8-bit bytes
    (usually the charset of the message's body)."""
    if not value:
        return ""
    value = _FOLD.sub("", value)
    out: list[str] = []
    pending: list[tuple[str | None, bytes, str]] = []  # (codec, bytes, original label)

    def flush() -> None:
        while pending:
            codec, data, label = pending.pop(0)
            while pending and pending[0][0] == codec:
                data += pending.pop(0)[1]
            out.append(charsets.decode(data, label, hint=fallback)[0])

    pos = 0
    for match in ENCODED_WORD.finditer(value):
        between = value[pos : match.start()]
        if between and not (pending and between.strip() == ""):
            flush()
            out.append(_plain(between, fallback))
        label, enc, text = match.group(1), match.group(2).upper(), match.group(3)
        data = _decode_b(text) if enc == "B" else _decode_q(text)
        pending.append((charsets.codec_for(label), data, label))
        pos = match.end()
    flush()
    out.append(_plain(value[pos:], fallback))
    text = "".join(out)
    return "".join(ch for ch in text if ch in "\t" or (ch >= " " and ch != "\x7f")).strip()


def decode_rfc2231(charset: str | None, value: str, fallback: str | None = None) -> str:
    """A parameter value from ``get_param`` in RFC 2231 form (charset, language, value)."""
    data = value.encode("latin-1", "surrogateescape") if _is_latin(value) else unquote_to_bytes(value)
    return charsets.decode(data, charset or fallback, hint=fallback)[0]


def _is_latin(value: str) -> bool:
    return all(ord(ch) < 256 or 0xDC80 <= ord(ch) <= 0xDCFF for ch in value)


def parse_addresses(value: str | None, fallback: str | None = None) -> list[tuple[str, str]]:
    """``[(display name, address)]`` of an address header; lenient about broken headers."""
    if not value:
        return []
    value = _FOLD.sub("", value)
    pairs: list[tuple[str, str]] = []
    try:
        parsed = email.utils.getaddresses([value])
    except (ValueError, TypeError, IndexError):
        parsed = []
    if _HAS_STRICT and (not parsed or any(not addr or "@" not in addr for _name, addr in parsed)):
        try:
            parsed = email.utils.getaddresses([value], strict=False)  # type: ignore[call-arg,unused-ignore]
        except (ValueError, TypeError, IndexError):
            parsed = []
    bare = [m.group(0) for m in _BARE_ADDR.finditer(value)]
    for name, addr in parsed:
        if not addr or "@" not in addr:
            continue
        address = _plain(addr, "utf-8").strip().strip("<>").strip()
        if not _VALID.match(address):
            # "Big Bug bb@bug.com", "a@x.com b@x.com": take the first real address in the header
            candidates = [b for b in bare if _VALID.match(b) and b not in {a for _n, a in pairs}]
            if not candidates:
                continue
            address = _plain(candidates[0], "utf-8")
            if not name or "@" in name:
                name = value.split(candidates[0], 1)[0].strip(" <\"'")
                name = "" if "@" in name or "<" in name else name
        pairs.append((decode_header(name, fallback).strip().strip("\"'").strip(), address))
    if not pairs:
        # Last resort for headers the stdlib gives up on: an address in angle brackets, or a bare one.
        match = _ADDR_IN_ANGLES.search(value) or _BARE_ADDR.search(value)
        if match:
            address = match.group(1) if match.re is _ADDR_IN_ANGLES else match.group(0)
            name = value[: match.start()].strip() if match.re is _ADDR_IN_ANGLES else ""
            pairs.append((decode_header(name, fallback).strip().strip("\"'").strip(), _plain(address, "utf-8")))
    return pairs


def message_ids(value: str | None) -> list[str]:
    """Message-IDs in a References / In-Reply-To header, in order, without angle brackets."""
    if not value:
        return []
    found = re.findall(r"<([^<>\s]+)>", value)
    if not found:
        found = [part for part in re.split(r"[\s,]+", value.strip()) if "@" in part]
    seen: list[str] = []
    for item in found:
        item = item.strip()[:250]
        if item and item not in seen:
            seen.append(item)
    return seen
