"""Upload type checks by the bytes (kefu.core.uploads.sniff)."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from asgiref.sync import async_to_sync
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from kefu.core.errors import ValidationFailed
from kefu.core.imagesize import image_size
from kefu.core.uploads import check_upload, sniff


@pytest.mark.parametrize("cut", [0, 1, 2])
def test_utf8_chinese_text_cut_anywhere_inside_a_character_is_text(cut):
    # Given Chinese UTF-8 text (3 bytes a character) whose first 512 bytes end `cut` bytes into a character,
    data = ("订单号,客户,电话\n" * 60).encode("utf-8")
    head = data[: 510 + cut] if cut else data[:510]
    # when its head is sniffed, then it is plain text, not refused.
    assert sniff(head) == "text/plain"


def test_binary_and_invalid_text_are_not_text():
    # Given bytes that are no UTF-8 (a GBK string) and bytes with a NUL,
    # then neither is taken for text.
    assert sniff("订单号".encode("gbk") + b"\xff\xfe") is None
    assert sniff(b"abc\x00def") is None


# --- issue 20: image dimensions are limited on upload, read from the header ----------------


def png(width: int, height: int) -> bytes:
    """A PNG header of any size: signature, IHDR, one tiny (wrong-sized) IDAT, IEND."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 5)) + chunk(b"IEND", b"")
    )


def jpeg(width: int, height: int, *, exif: int = 0) -> bytes:
    app1 = b"\xff\xe1" + struct.pack(">H", exif + 2) + b"E" * exif if exif else b""
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 17, 8, height, width, 3) + b"\x01\x22\x00\x02\x11\x01\x03\x11\x01"
    return b"\xff\xd8" + b"\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + app1 + sof + b"\xff\xd9"


def gif(width: int, height: int) -> bytes:
    return b"GIF89a" + struct.pack("<HH", width, height) + b"\x00\x00\x00;"


def webp(width: int, height: int, kind: str) -> bytes:
    if kind == "VP8X":
        body = b"VP8X" + struct.pack("<I", 10) + b"\x00\x00\x00\x00" + (width - 1).to_bytes(3, "little")
        body += (height - 1).to_bytes(3, "little")
    elif kind == "VP8L":
        bits = (width - 1) | ((height - 1) << 14)
        body = b"VP8L" + struct.pack("<I", 5) + b"\x2f" + struct.pack("<I", bits)
    else:
        frame = b"\x00\x00\x00" + b"\x9d\x01\x2a" + struct.pack("<HH", width, height)
        body = b"VP8 " + struct.pack("<I", len(frame)) + frame
    return b"RIFF" + struct.pack("<I", len(body) + 4) + b"WEBP" + body


@pytest.mark.parametrize(
    ("data", "size"),
    [
        (png(20000, 20000), (20000, 20000)),
        (png(1, 1), (1, 1)),
        (jpeg(640, 480), (640, 480)),
        (jpeg(30000, 12000, exif=60000), (30000, 12000)),  # the SOF behind a large EXIF block
        (gif(320, 200), (320, 200)),
        (webp(16383, 16383, "VP8X"), (16383, 16383)),
        (webp(9000, 7000, "VP8L"), (9000, 7000)),
        (webp(800, 600, "VP8 "), (800, 600)),
    ],
)
def test_image_size_is_read_from_the_header(data, size):
    assert image_size(io.BytesIO(data)) == size


def test_a_truncated_header_has_no_size():
    assert image_size(io.BytesIO(png(10, 10)[:20])) is None
    assert image_size(io.BytesIO(b"\xff\xd8\xff\xe0\x00\x10JFIF")) is None


def test_a_huge_png_is_refused_with_a_clear_message(settings):
    # Given a PNG of 20000×20000 (1.6 GB decoded) in a few hundred bytes,
    settings.KEFU_MAX_IMAGE_PIXELS = 40_000_000
    data = png(20000, 20000)
    assert len(data) < 200
    upload = SimpleUploadedFile("big.png", data, content_type="image/png")
    # when it is checked, then it is refused with a clear message in zh-Hans,
    with translation.override("zh-hans"), pytest.raises(ValidationFailed) as refused:
        check_upload(upload, images_only=True)
    assert "20000×20000" in str(refused.value.message)
    assert "40" in str(refused.value.message)  # the limit, in megapixels
    # and an image within the limit passes.
    assert check_upload(SimpleUploadedFile("ok.png", png(6000, 6000)), images_only=True).content_type == "image/png"


def test_a_jpeg_with_stray_bytes_before_the_frame_is_still_measured(settings):
    # libjpeg skips garbage before a marker; a check that stopped there would let a huge frame by.
    data = jpeg(30000, 30000)
    sneaky = data[:20] + b"garbage" + data[20:]
    assert image_size(io.BytesIO(sneaky)) == (30000, 30000)
    with pytest.raises(ValidationFailed):
        check_upload(SimpleUploadedFile("a.jpg", sneaky), images_only=True)


@pytest.mark.django_db(transaction=True)
def test_the_widget_answers_400_in_the_house_shape(client, settings):
    from tests.factories import ChannelFactory, UserFactory
    from tests.test_widget import hello, visitor_socket

    UserFactory(role="reception", presence="online", username="xiaowang")
    channel = ChannelFactory()

    async def scenario():
        ws = visitor_socket(channel.key)
        welcome = await hello(ws)
        await ws.disconnect()
        return welcome["visitor"]

    token = async_to_sync(scenario)()
    big = io.BytesIO(png(20000, 20000))
    big.name = "photo.png"
    refused = client.post(
        f"/widget/{channel.key}/upload/", {"visitor": token, "client_id": "i1", "file": big, "lang": "zh-CN"}
    )
    assert refused.status_code == 400
    body = refused.json()
    assert body["error"] == "invalid", body
    assert "20000×20000" in body["message"]
