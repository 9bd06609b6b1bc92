"""Pure parsers: bytes in, `ParseResult` (InvoiceRecords) or an InputError listing every problem out."""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from relance.imports.parsers.base import CreditLink, ParseResult
from relance.imports.parsers.canonical import parse_csv, parse_xlsx
from relance.imports.parsers.einvoice import parse_einvoice_xml, parse_facturx
from relance.imports.parsers.fec import parse_fec
from relance.imports.parsers.safety import parse_xml, refuse

FORMATS = ("auto", "csv", "xlsx", "fec", "facturx", "cii", "ubl")
PARSERS: dict[str, Callable[..., ParseResult]] = {
    "csv": parse_csv, "xlsx": parse_xlsx, "fec": parse_fec, "facturx": parse_facturx,
    "cii": parse_einvoice_xml, "ubl": parse_einvoice_xml,
}


def detect_format(data: bytes, file: str) -> str:
    """From the content first (magic bytes, root element, FEC header), the extension last."""
    head = data[:4096]
    if head.startswith(b"%PDF") or b"%PDF-" in head[:1024]:
        return "facturx"
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"<"):
        return _xml_flavour(data, file)
    if stripped.lower().startswith(b"journalcode"):
        return "fec"
    if file.lower().endswith((".xls", ".ods")):
        raise refuse(file, "format de tableur non pris en charge : enregistrez le classeur en .xlsx ou en CSV.")
    return "csv"


def _xml_flavour(data: bytes, file: str) -> str:
    """By the root element (samples open with long comments, so the first bytes are not enough)."""
    tag = etree.QName(parse_xml(data, file)).localname
    if tag in ("Invoice", "CreditNote"):
        return "ubl"
    if tag == "CrossIndustryInvoice":
        return "cii"
    raise refuse(file, f"XML non reconnu (élément racine « {tag} ») : ni facture CII (Factur-X) ni UBL 2.1.")


def parse_bytes(data: bytes, *, file: str, fmt: str = "auto") -> ParseResult:
    if fmt not in FORMATS:
        raise refuse(file, f"format inconnu : {fmt} (attendu : {', '.join(FORMATS)})")
    kind = detect_format(data, file) if fmt == "auto" else fmt
    if fmt in ("cii", "ubl") and (actual := _xml_flavour(data, file)) != fmt:
        raise refuse(file, f"ce fichier est une facture {actual.upper()}, pas {fmt.upper()} : "
                           "choisissez le bon format ou la détection automatique.")
    if kind in ("cii", "ubl"):
        return parse_einvoice_xml(data, file=file, source=kind)
    return PARSERS[kind](data, file=file)


__all__ = ["FORMATS", "CreditLink", "ParseResult", "detect_format", "parse_bytes"]
