"""Attachment checks: size, and type judged by the bytes, not by the name."""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from kefu.core.errors import ValidationFailed
from kefu.core.imagesize import image_size

IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}


@dataclass(frozen=True)
class CheckedUpload:
    name: str
    content_type: str
    size: int

    @property
    def is_image(self) -> bool:
        return self.content_type in IMAGE_TYPES


def sniff(head: bytes) -> str | None:
    """The content type the first bytes prove, or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"PK\x03\x04"):
        return "application/zip"  # also docx / xlsx / pptx
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "application/msword"  # legacy OLE: doc / xls
    try:
        # Not final: a multi-byte character (Chinese: 3 bytes) cut by the end of ``head`` is fine.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return None
    if b"\x00" in head:
        return None
    return "text/plain"


def _check_dimensions(upload: UploadedFile, name: str) -> None:
    """Refuse an image whose decoded size would be huge (20000×20000 is 1.6 GB), from its header."""
    size = image_size(upload)
    if size is None:
        # No frame size where decoders look for it (PNG without IHDR first, WebP without a known
        # chunk, JPEG without a frame header): no browser decodes it either, so it costs nothing.
        return
    width, height = size
    limit = settings.KEFU_MAX_IMAGE_PIXELS
    if width * height > limit:
        raise ValidationFailed(
            _("The image “%(name)s” is too large (%(width)d×%(height)d pixels); the limit is %(limit)s megapixels.")
            % {"name": name, "width": width, "height": height, "limit": f"{limit / 1_000_000:g}"}
        )


def check_upload(upload: UploadedFile, *, images_only: bool = False) -> CheckedUpload:
    name = (upload.name or "file").replace("\\", "/").rsplit("/", 1)[-1][:120] or "file"
    size = upload.size or 0
    limit = settings.KEFU_MAX_UPLOAD_BYTES
    if size > limit:
        raise ValidationFailed(
            _("“%(name)s” is too large (%(size).1f MB); the limit is %(limit)d MB.")
            % {"name": name, "size": size / 1048576, "limit": limit // 1048576}
        )
    if size == 0:
        raise ValidationFailed(_("“%(name)s” is empty.") % {"name": name})
    upload.seek(0)
    head = upload.read(512)
    upload.seek(0)
    kind = sniff(head)
    if kind is None:
        raise ValidationFailed(_("“%(name)s” is not a file type kefu accepts.") % {"name": name})
    claims_image = (upload.content_type or "").startswith("image/") or name.lower().endswith(
        (".png", ".jpg", ".jpeg", ".gif", ".webp")
    )
    if (images_only or claims_image) and kind not in IMAGE_TYPES:
        raise ValidationFailed(_("“%(name)s” is not an image.") % {"name": name})
    if kind in IMAGE_TYPES:
        _check_dimensions(upload, name)
    return CheckedUpload(name=name, content_type=kind, size=size)
