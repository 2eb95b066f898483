"""Charset labels as mail clients read them, and decoding that never raises.

Mail in the wild is labelled with the charset the sender *meant*, not the one it used: a
``gb2312`` label almost always covers GBK or GB18030 bytes (Outlook, Foxmail, old webmail),
``big5`` covers Big5-HKSCS, ``ks_c_5601-1987`` is really CP949, ``shift_jis`` is CP932 and
``iso-8859-1`` is windows-1252.  Every decode goes to the widest superset the label stands
for, then to UTF-8, then to detection (charset-normalizer), and finally to a replacement
decode: a message body is never lost to a ``UnicodeDecodeError``.
"""

from __future__ import annotations

import codecs
import re

# label (lower-case) -> the Python codec a mail client would use for it
ALIASES: dict[str, str] = {
    "gb2312": "gb18030",
    "gb_2312": "gb18030",
    "gb_2312-80": "gb18030",
    "gb2312-80": "gb18030",
    "csgb2312": "gb18030",
    "euc-cn": "gb18030",
    "euccn": "gb18030",
    "x-euc-cn": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "ms936": "gb18030",
    "windows-936": "gb18030",
    "chinese": "gb18030",
    "iso-ir-58": "gb18030",
    "hz-gb-2312": "hz",
    "big5": "big5hkscs",
    "big-5": "big5hkscs",
    "x-big5": "big5hkscs",
    "cn-big5": "big5hkscs",
    "csbig5": "big5hkscs",
    "big5-hkscs": "big5hkscs",
    "cp950": "big5hkscs",
    "x-x-big5": "big5hkscs",
    "ks_c_5601-1987": "cp949",
    "ks_c_5601": "cp949",
    "ks_c_5601-1989": "cp949",
    "ksc5601": "cp949",
    "ksc_5601": "cp949",
    "euc-kr": "cp949",
    "euckr": "cp949",
    "x-euc-kr": "cp949",
    "korean": "cp949",
    "iso-ir-149": "cp949",
    "windows-949": "cp949",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "ms_kanji": "cp932",
    "csshiftjis": "cp932",
    "windows-31j": "cp932",
    "x-ms-cp932": "cp932",
    "euc-jp": "euc_jis_2004",
    "x-euc-jp": "euc_jis_2004",
    "iso-2022-jp": "iso2022_jp_ext",
    "csiso2022jp": "iso2022_jp_ext",
    "iso-2022-jp-1": "iso2022_jp_ext",
    "iso-2022-jp-2": "iso2022_jp_2",
    "iso-2022-jp-3": "iso2022_jp_3",
    "iso-2022-kr": "iso2022_kr",
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "ansi_x3.4-1968": "cp1252",
    "iso-8859-9": "cp1254",
    "iso-8859-11": "cp874",
    "tis-620": "cp874",
    "utf8": "utf-8",
    "unicode-1-1-utf-8": "utf-8",
    "x-unicode20utf8": "utf-8",
    "utf-7": "utf-7",
    "x-unicode-2-0-utf-7": "utf-7",
    "unicode-2-0-utf-8": "utf-8",
    "x-unicode-2-0-utf-8": "utf-8",
    # iconv (glibc, libiconv) and WHATWG names that mail clients accept and Python does not know
    "baltic": "iso8859-13",
    "iso-ir-179": "iso8859-13",
    "latin-7": "iso8859-13",
    "winbaltrim": "cp1257",
    "x-cp1257": "cp1257",
    "arabic": "iso8859-6",
    "iso-8859-6-i": "iso8859-6",
    "iso-8859-6-e": "iso8859-6",
    "iso_8859-6-i": "iso8859-6",
    "iso_8859-6-e": "iso8859-6",
    "iso-8859-8-i": "iso8859-8",
    "iso-8859-8-e": "iso8859-8",
    "iso_8859-8-i": "iso8859-8",
    "iso_8859-8-e": "iso8859-8",
    "logical": "iso8859-8",
    "visual": "iso8859-8",
    "latin-9": "iso8859-15",
    "latin9": "iso8859-15",
    "l9": "iso8859-15",
    "csisolatin9": "iso8859-15",
    "iso-8859-16": "iso8859-16",
    "mac": "mac-roman",
    "x-mac-roman": "mac-roman",
    "x-mac-cyrillic": "mac-cyrillic",
    "x-mac-ukrainian": "mac-cyrillic",
    "x-mac-greek": "mac-greek",
    "x-mac-turkish": "mac-turkish",
    "x-mac-icelandic": "mac-iceland",
    "x-mac-ce": "mac-latin2",
    "x-mac-centraleurroman": "mac-latin2",
    "cn-gb": "gb18030",
    "x-mac-chinesesimp": "gb18030",
    "cp20936": "gb18030",
    "x-cp20936": "gb18030",
    "x-mac-chinesetrad": "big5hkscs",
    "x-mac-korean": "cp949",
    "x-mac-japanese": "cp932",
    "x-cp20949": "cp949",
    "cp1361": "johab",
    "windows-874": "cp874",
    "x-iscii-de": "cp1252",
    # Windows' names of UTF-16 (code pages 1200 and 1201) and the UCS-2/UCS-4 names of iconv;
    # a byte-order mark, or the zero bytes of mostly Latin text, overrule the order (_wide()).
    "unicode": "utf-16-le",
    "unicodelittle": "utf-16-le",
    "unicodelittleunmarked": "utf-16-le",
    "unicodebig": "utf-16-be",
    "unicodebigunmarked": "utf-16-be",
    "unicodefffe": "utf-16-be",
    "ucs-2": "utf-16-le",
    "ucs2": "utf-16-le",
    "ucs-2le": "utf-16-le",
    "ucs-2be": "utf-16-be",
    "unicode-1-1": "utf-16-be",
    "iso-10646-ucs-2": "utf-16-be",
    "csunicode": "utf-16-be",
    "ucs-4": "utf-32-be",
    "ucs4": "utf-32-be",
    "ucs-4le": "utf-32-le",
    "ucs-4be": "utf-32-be",
    "iso-10646-ucs-4": "utf-32-be",
    "csucs4": "utf-32-be",
}

CP50220 = "x-cp50220"

# When a codec fails on the bytes: wider readings of the same label, tried before accepting
# a few replaced characters ...
SUPERSETS: dict[str, tuple[str, ...]] = {
    # Windows and most Japanese mailers write ISO-2022-JP with NEC/IBM extensions (①, ㈱, Ⅲ):
    # Microsoft's CP50220 reading, which Python lacks; see _cp50220().
    "iso2022_jp_ext": (CP50220, "iso2022_jp_2004", "iso2022_jp_2"),
    "big5hkscs": ("cp950",),
    "cp932": ("shift_jis_2004",),
    "euc_jis_2004": ("euc_jp",),
}
# ... and other charsets a mislabelled mail of that kind is likely to be in.
FALLBACKS: dict[str, tuple[str, ...]] = {
    "iso2022_jp_ext": ("cp932",),
    "euc_jis_2004": ("cp932",),
    "gb18030": ("big5hkscs",),
    "big5hkscs": ("gb18030",),
}

# Codecs that accept any byte sequence: a strict decode with them proves nothing.
_PERMISSIVE = {"cp1252", "latin-1", "iso8859-1"}

_SINGLE_BYTE = ("cp125", "cp874", "iso8859", "latin", "koi8", "mac", "ascii", "cp437", "cp850")

_ASCII_BYTES = bytes(range(128))
_LABEL = re.compile(r"[^a-z0-9_.:\-]")


def codec_for(label: str | None) -> str | None:
    """The Python codec for a MIME charset label, or None for a missing or unknown label."""
    if not label:
        return None
    name = label.strip().strip("\"'").lower().split("*", 1)[0]  # RFC 2231 language suffix
    name = _LABEL.sub("", name)
    if not name:
        return None
    if name in ALIASES:
        return ALIASES[name]
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    return ALIASES.get(codec, codec)


def _cp50220(data: bytes) -> str:
    """ISO-2022-JP read as Windows does (CP50220/50221): JIS X 0208 rows re-coded to Shift_JIS
    and decoded as CP932, so the NEC and IBM extension characters come out right."""
    out = bytearray()
    mode = "ascii"
    i = 0
    while i < len(data):
        byte = data[i]
        if byte == 0x1B:
            seq = data[i + 1 : i + 3]
            if seq in (b"$@", b"$B"):
                mode, i = "jis", i + 3
                continue
            if seq in (b"(B", b"(J"):
                mode, i = "ascii", i + 3
                continue
            if seq == b"(I":
                mode, i = "kana", i + 3
                continue
            raise UnicodeDecodeError("cp50220", data, i, i + 1, "unknown escape sequence")
        if byte == 0x0E:  # SO: half-width katakana (CP50221)
            mode, i = "kana", i + 1
            continue
        if byte == 0x0F:
            mode, i = "ascii", i + 1
            continue
        if byte >= 0x80:
            raise UnicodeDecodeError("cp50220", data, i, i + 1, "8-bit byte in a 7-bit charset")
        if mode == "jis" and byte not in (0x0A, 0x0D):
            if i + 1 >= len(data):
                raise UnicodeDecodeError("cp50220", data, i, i + 1, "truncated character")
            j1, j2 = byte, data[i + 1]
            s1 = ((j1 - 0x21) >> 1) + 0x81
            if s1 > 0x9F:
                s1 += 0x40
            if j1 & 1:
                s2 = j2 + 0x1F
                if s2 >= 0x7F:
                    s2 += 1
            else:
                s2 = j2 + 0x7E
            out += bytes([s1, s2])
            i += 2
            continue
        out.append(byte + 0x80 if mode == "kana" and 0x21 <= byte <= 0x5F else byte)
        i += 1
    return out.decode("cp932")


def _strict(data: bytes, codec: str) -> str | None:
    if codec == CP50220:
        try:
            return _cp50220(data)
        except (UnicodeDecodeError, ValueError):
            return None
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def detect(data: bytes) -> str | None:
    """charset-normalizer's best guess, mapped to the superset a mail client would use."""
    from charset_normalizer import from_bytes

    best = from_bytes(data[:65536]).best()
    if best is None:
        return None
    return codec_for(best.encoding) or best.encoding


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _wide(data: bytes, codec: str | None) -> tuple[str, str] | None:
    """UTF-16/UTF-32 text under a label that says so (``unicode``, ``unicodeFFFE``, ``ucs-2``,
    ``utf-16``): read before the ASCII shortcut, whose NUL bytes would otherwise be dropped.
    A byte-order mark wins over the label's order; without one, the zero bytes of Latin text
    show it; else the label's order stands."""
    if not codec or not codec.startswith(("utf-16", "utf_16", "utf-32", "utf_32")):
        return None
    width = 4 if "32" in codec else 2
    for bom, name in _BOMS:
        if len(bom) == width and data.startswith(bom):
            text = data[len(bom) :].decode(name, errors="replace")
            return text, name
    big = codec.endswith(("be", "-16", "-32", "_16", "_32"))  # RFC 2781: unmarked UTF-16 is big-endian
    if width == 2 and len(data) >= 2:
        # Latin text has a zero in most high bytes and none in the low ones; a CJK character
        # may have one zero byte (U+9000 is 90 00), so a few zeros decide nothing.
        half = len(data) // 2
        even, odd = data[0::2].count(0), data[1::2].count(0)
        if even * 2 > half and odd == 0:
            big = True
        elif odd * 2 > half and even == 0:
            big = False
    name = f"utf-{width * 8}-{'be' if big else 'le'}"
    return data.decode(name, errors="replace"), name


def decode(data: bytes, label: str | None = None, *, hint: str | None = None) -> tuple[str, str]:
    """Decode ``data`` labelled ``label``; ``hint`` is another charset of the same message (used
    for unlabelled 8-bit text).  Returns ``(text, codec actually used)``; never raises."""
    if not data:
        return "", codec_for(label) or "utf-8"
    wide = _wide(data, codec_for(label))
    if wide is not None:
        return wide
    if data.isascii():
        codec = codec_for(label)
        if codec and codec.startswith(("iso2022", "utf-7", "hz")):
            for candidate in (codec, *SUPERSETS.get(codec, ())):
                text = _strict(data, candidate)
                if text is not None:
                    return text, candidate
        return data.decode("ascii"), "ascii"
    codec = codec_for(label)
    nonascii = len(data.translate(None, _ASCII_BYTES))
    if codec is None or codec.startswith(_SINGLE_BYTE) or nonascii >= 6:
        # Valid multi-byte UTF-8 is next to impossible by accident in another charset: it is
        # UTF-8 under a wrong or missing label ("us-ascii", "gb2312") that mailers get wrong.
        text = _strict(data, "utf-8")
        if text is not None:
            return text, "utf-8"
    if codec:
        for candidate in (codec, *SUPERSETS.get(codec, ())):
            text = _strict(data, candidate)
            if text is not None:
                return text, candidate
        # A few stray bytes in otherwise good text: the label is right, replace just those.
        try:
            text = data.decode(codec, errors="replace")
        except LookupError:
            text = ""
        if text and text.count("\ufffd") <= max(1, len(text) // 200):
            return text, codec
        for candidate in FALLBACKS.get(codec, ()):
            text = _strict(data, candidate)
            if text is not None:
                return text, candidate
    hinted = codec_for(hint)
    if hinted and hinted != codec and hinted not in _PERMISSIVE:
        text = _strict(data, hinted)
        if text is not None:
            return text, hinted
    guessed = detect(data)
    if guessed:
        detected = _strict(data, guessed)
        if detected is not None:
            return detected, guessed
    # A labelled codec that failed on a few bad bytes still reads the rest best.
    for fallback in (codec, guessed, "utf-8"):
        if fallback:
            try:
                return data.decode(fallback, errors="replace"), fallback
            except LookupError:
                continue
    return data.decode("utf-8", errors="replace"), "utf-8"
