"""Content-addressed file storage: type sniffing and blob writing.

A file's type is decided from its first bytes (magic numbers), never from the
name or the client's content type. Blobs are written once under
``MEDIA_ROOT/blobs/ab/cd/<sha256>`` and never deleted or overwritten.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
from pathlib import Path
from typing import IO

from django.conf import settings

#: MIME types accepted by default (images, audio/video evidence, PDF/OFD, office documents).
DEFAULT_ALLOWED_TYPES = (
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "image/bmp",
    "image/tiff",
    "image/heic",
    "video/mp4",
    "video/quicktime",
    "video/x-msvideo",
    "video/webm",
    "audio/mpeg",
    "audio/wav",
    "audio/amr",
    "application/pdf",
    "application/ofd",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
)

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ISO_BRANDS_VIDEO = {b"isom", b"iso2", b"mp41", b"mp42", b"avc1", b"M4V ", b"3gp4", b"3gp5", b"dash", b"mp71"}
_HEIC_BRANDS = {b"heic", b"heix", b"mif1", b"msf1", b"hevc"}


def allowed_types() -> tuple[str, ...]:
    return tuple(settings.ONETEAM.get("UPLOAD_ALLOWED_TYPES") or DEFAULT_ALLOWED_TYPES)


def max_bytes() -> int:
    return int(settings.ONETEAM.get("UPLOAD_MAX_BYTES", 50 * 1024 * 1024))


def sniff(head: bytes, path: Path | None = None, name: str = "") -> str | None:
    """The MIME type of a file from its first bytes (and, for ZIP and OLE2
    containers, their contents or the file name's extension), or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head.startswith(b"BM") and len(head) > 14:
        return "image/bmp"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/tiff"
    if head.startswith(b"RIFF") and len(head) >= 12:
        return {b"WEBP": "image/webp", b"AVI ": "video/x-msvideo", b"WAVE": "audio/wav"}.get(head[8:12])
    if len(head) >= 12 and head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _HEIC_BRANDS:
            return "image/heic"
        if brand == b"qt  ":
            return "video/quicktime"
        if brand in _ISO_BRANDS_VIDEO or brand.startswith(b"3g"):
            return "video/mp4"
        return None
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm"
    if head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "audio/mpeg"
    if head.startswith(b"#!AMR"):
        return "audio/amr"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(_OLE2):
        ext = os.path.splitext(name.lower())[1]
        return {".xls": "application/vnd.ms-excel", ".ppt": "application/vnd.ms-powerpoint"}.get(
            ext, "application/msword"
        )
    if head.startswith(b"PK\x03\x04") and path is not None:
        return _sniff_zip(path)
    return None


def _sniff_zip(path: Path) -> str | None:
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
    except (zipfile.BadZipFile, OSError):
        return None
    if "[Content_Types].xml" in names:
        for prefix, mime in (
            ("word/", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            ("xl/", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            ("ppt/", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
        ):
            if any(n.startswith(prefix) for n in names):
                return mime
    if "OFD.xml" in names:
        return "application/ofd"
    return None


class StoredFile:
    """The outcome of :func:`store`: hash, size, sniffed type and final path."""

    def __init__(self, sha256: str, size: int, content_type: str | None, path: Path) -> None:
        self.sha256, self.size, self.content_type, self.path = sha256, size, content_type, path


class TooLarge(Exception):
    pass


def store(stream: IO[bytes], *, name: str = "", limit: int | None = None) -> StoredFile:
    """Copy ``stream`` to a temporary file while hashing it, sniff its type,
    then move it into place under its SHA-256 (kept if already there).
    Raises :class:`TooLarge` past ``limit`` bytes. Returns the stored file even
    when its type is not allowed (``content_type`` None): the caller refuses
    it, and the unreferenced blob file is harmless (content-addressed)."""
    limit = max_bytes() if limit is None else limit
    root = Path(settings.MEDIA_ROOT) / "blobs"
    root.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    head = b""
    fd, tmp_name = tempfile.mkstemp(dir=root, prefix=".upload-")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(1024 * 1024):
                size += len(chunk)
                if size > limit:
                    raise TooLarge
                if len(head) < 64:
                    head += chunk[: 64 - len(head)]
                digest.update(chunk)
                out.write(chunk)
        content_type = sniff(head, tmp, name)
        sha = digest.hexdigest()
        final = root / sha[:2] / sha[2:4] / sha
        if content_type is None:
            return StoredFile(sha, size, None, final)
        if not final.exists():
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, final)
            final.chmod(0o444)
        return StoredFile(sha, size, content_type, final)
    finally:
        if tmp.exists():
            tmp.unlink()
