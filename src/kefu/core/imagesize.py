"""Width and height of a PNG, JPEG, GIF or WebP image, read from its header without decoding it.

A 20000×20000 PNG is a few hundred bytes on the wire and 1.6 GB once a browser (or anything
else) decodes it; :func:`kefu.core.uploads.check_upload` refuses it by these numbers.  Only the
header is read: JPEG segments are skipped by their lengths (an EXIF block of 64 KB costs one
seek), at most :data:`MAX_JPEG_SEGMENTS` of them.
"""

from __future__ import annotations

import struct
from typing import IO

MAX_JPEG_SEGMENTS = 1000
MAX_JPEG_GARBAGE = 65536
# SOF markers that carry the frame size (not DHT C4, JPG C8, DAC CC)
_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def image_size(stream: IO[bytes]) -> tuple[int, int] | None:
    """``(width, height)`` of the image in ``stream`` (read from its start), or None when the
    header is not one of the four formats or is cut short.  Leaves the stream at its start."""
    stream.seek(0)
    try:
        head = stream.read(32)
        if head.startswith(b"\x89PNG\r\n\x1a\n"):
            return _png(head)
        if head.startswith((b"GIF87a", b"GIF89a")):
            return _pair(head, 6, "<HH")
        if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
            return _webp(head)
        if head.startswith(b"\xff\xd8"):
            return _jpeg(stream)
        return None
    finally:
        stream.seek(0)


def _pair(data: bytes, offset: int, fmt: str) -> tuple[int, int] | None:
    if len(data) < offset + struct.calcsize(fmt):
        return None
    width, height = struct.unpack_from(fmt, data, offset)
    return int(width), int(height)


def _png(head: bytes) -> tuple[int, int] | None:
    if head[12:16] != b"IHDR":
        return None
    return _pair(head, 16, ">II")


def _webp(head: bytes) -> tuple[int, int] | None:
    kind = head[12:16]
    if kind == b"VP8X" and len(head) >= 30:
        return 1 + int.from_bytes(head[24:27], "little"), 1 + int.from_bytes(head[27:30], "little")
    if kind == b"VP8L" and len(head) >= 25 and head[20] == 0x2F:
        bits = int.from_bytes(head[21:25], "little")
        return 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF)
    if kind == b"VP8 " and len(head) >= 30 and head[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack_from("<HH", head, 26)
        return width & 0x3FFF, height & 0x3FFF
    return None


def _jpeg(stream: IO[bytes]) -> tuple[int, int] | None:
    stream.seek(2)
    for _ in range(MAX_JPEG_SEGMENTS):
        byte = stream.read(1)
        skipped = 0
        while byte and byte != b"\xff" and skipped < MAX_JPEG_GARBAGE:
            # libjpeg skips stray bytes before a marker ("extraneous bytes"), so must we
            byte, skipped = stream.read(1), skipped + 1
        if byte != b"\xff":
            return None
        byte = stream.read(1)
        while byte == b"\xff":  # fill bytes before a marker
            byte = stream.read(1)
        if not byte:
            return None
        marker = byte[0]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            continue  # markers without a length
        if marker == 0xD9:
            return None  # end of image before any frame
        length_bytes = stream.read(2)
        if len(length_bytes) < 2:
            return None
        length = struct.unpack(">H", length_bytes)[0]
        if length < 2:
            return None
        if marker in _SOF:
            frame = stream.read(5)
            if len(frame) < 5:
                return None
            height, width = struct.unpack_from(">HH", frame, 1)
            return int(width), int(height)
        stream.seek(length - 2, 1)
    return None
