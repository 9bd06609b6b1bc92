"""Shared helpers of the bank parsers: size cap, decoding, stable references."""

from __future__ import annotations

import hashlib
import re
from datetime import date
from decimal import Decimal

from relance.core.errors import InputError, InputProblem

#: A month of statements of a busy SME is a few megabytes; anything far above is refused unread.
MAX_BYTES = 20 * 1024 * 1024
MAX_REF = 200

_HOSTILE_MARKUP = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_WS = re.compile(r"\s+")


def refuse(file: str, message: str, line: int | None = None, field: str | None = None) -> InputError:
    return InputError([InputProblem(file, line, field, message)])


def check_size(file: str, size: int) -> None:
    if size > MAX_BYTES:
        raise refuse(file, f"fichier trop volumineux ({size // (1024 * 1024)} Mo) : "
                           f"la limite est de {MAX_BYTES // (1024 * 1024)} Mo par relevé.")


def check_not_archive(file: str, data: bytes) -> None:
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06") or data[:2] == b"\x1f\x8b":
        raise refuse(file, "les archives (ZIP, GZIP) ne sont pas acceptées : importez les relevés décompressés.")


def check_no_dtd(file: str, data: bytes) -> None:
    """Bank files never need a DTD; entity declarations are how billion-laughs and XXE attacks work."""
    if _HOSTILE_MARKUP.search(data):
        raise refuse(file, "fichier refusé : il contient une déclaration DOCTYPE ou ENTITY "
                           "(entités XML interdites pour des raisons de sécurité).")


def decode_text(data: bytes, preferred: str | None = None) -> str:
    """UTF-8 (with or without BOM), else the preferred legacy encoding, else Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode(preferred or "cp1252", errors="replace")
    except LookupError:  # the file names an encoding Python does not know: read it as Windows-1252
        return data.decode("cp1252", errors="replace")


def clean(text: str | None) -> str:
    return _WS.sub(" ", text or "").strip()


def fingerprint(*parts: object) -> str:
    digest = hashlib.sha1("|".join(str(p) for p in parts).encode()).hexdigest()[:24]  # noqa: S324 - not security
    return f"fp:{digest}"


def cap_ref(ref: str) -> str:
    return ref if len(ref) <= MAX_REF else "h:" + hashlib.sha256(ref.encode()).hexdigest()


class RefAllocator:
    """Makes references unique within one file, deterministically (same file → same references)."""

    def __init__(self) -> None:
        self.seen: dict[str, int] = {}

    def unique(self, ref: str) -> str:
        count = self.seen.get(ref, 0) + 1
        self.seen[ref] = count
        return cap_ref(ref if count == 1 else f"{ref}#{count}")


def line_fingerprint(account: str, day: date, amount: Decimal, *text: str) -> str:
    return fingerprint(account, day.isoformat(), f"{amount:.2f}", *text)
