"""Proof uploads: the type is decided by the file's first bytes, never by its name or declared type."""

from __future__ import annotations

from typing import IO

MAX_PROOF_BYTES = 5 * 1024 * 1024

# (magic prefix, content type, extension)
SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
)


def sniff_type(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) for a PDF, PNG or JPEG header; None for anything else."""
    for magic, content_type, ext in SIGNATURES:
        if head.startswith(magic):
            return content_type, ext
    return None


def sniff_file(f: IO[bytes]) -> tuple[str, str] | None:
    f.seek(0)
    head = f.read(16)
    f.seek(0)
    return sniff_type(head)


def sniff_image(head: bytes) -> str | None:
    """Content type for the raster logos we agree to show (PNG, JPEG, GIF, WebP)."""
    if found := sniff_type(head):
        return found[0] if found[0].startswith("image/") else None
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None
