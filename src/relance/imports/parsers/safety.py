"""Bounds on what an import may cost: file size, text encodings, XML and ZIP safety.

Every limit refuses with a French message an assistant can act on; nothing here touches the ORM.
"""

from __future__ import annotations

import re
import zipfile
from io import BytesIO

from lxml import etree

from relance.core.errors import InputError, InputProblem

# C0/C1 control characters never occur in genuine Windows-1252 or ISO-8859-15 text.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
#: an XLSX whose members would inflate beyond this, or 100 times their compressed size, is refused
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_ZIP_RATIO = 100
#: an invoice XML embedded in a PDF is a few kilobytes; 10 MB is far beyond any genuine one
MAX_EMBEDDED_XML_BYTES = 10 * 1024 * 1024


def refuse(file: str, message: str, *, line: int | None = None, field: str | None = None) -> InputError:
    return InputError([InputProblem(file, line, field, message)])


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} Mo"


def check_size(file: str, size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise refuse(file, f"fichier trop volumineux ({megabytes(size)}) : la limite est de {megabytes(max_bytes)}.")


def text_encoding(data: bytes, file: str, *, legacy: tuple[str, ...] = ("cp1252",)) -> str:
    """UTF-8 (with or without BOM), else the first legacy encoding that reads as text; else a clear refusal."""
    candidates = ("utf-8-sig", *legacy)
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding == "utf-8-sig" or not _CONTROL.search(text):
            return encoding
    raise refuse(file, "encodage inconnu : le fichier n'est ni en UTF-8 ni en Windows-1252 / ISO-8859-15. "
                       "Réenregistrez-le en UTF-8 (CSV UTF-8) depuis votre tableur.")


def decode_text(data: bytes, file: str, *, legacy: tuple[str, ...] = ("cp1252",)) -> str:
    return data.decode(text_encoding(data, file, legacy=legacy))


def _xml_parser() -> etree.XMLParser:
    # No entity expansion, no DTD loading, no network, no huge documents.
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False,
                           dtd_validation=False, remove_pis=True)


_DTD = re.compile(rb"<!DOCTYPE|<!ENTITY")
DTD_REFUSED = ("XML refusé par sécurité : il contient une déclaration DTD (entités internes ou externes). "
               "Une facture électronique n'en a jamais besoin.")


def parse_xml(data: bytes, file: str) -> etree._Element:
    """Parse untrusted XML; any DTD (entity declarations, external references) is refused outright."""
    if _DTD.search(data):
        raise refuse(file, DTD_REFUSED)
    try:
        root = etree.fromstring(data, _xml_parser())
    except etree.XMLSyntaxError as exc:
        raise refuse(file, f"XML illisible : {exc.msg}")
    if root is None:
        raise refuse(file, "XML vide.")
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise refuse(file, DTD_REFUSED)
    return root


def check_zip(data: bytes, file: str) -> zipfile.ZipFile:
    """Open an XLSX (a ZIP) only when it cannot inflate into a bomb."""
    try:
        archive = zipfile.ZipFile(BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise refuse(file, "classeur Excel illisible (archive ZIP corrompue).")
    unzipped = sum(m.file_size for m in members)
    compressed = max(sum(m.compress_size for m in members), 1)
    if unzipped > MAX_UNZIPPED_BYTES or unzipped / compressed > MAX_ZIP_RATIO:
        raise refuse(file, f"classeur refusé par sécurité : il se décompresserait en {megabytes(unzipped)} "
                           f"(taux {unzipped // compressed}:1) — archive piégée (« zip bomb ») ?")
    return archive
