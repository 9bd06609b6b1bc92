"""Pure bank-statement parsers: bytes in, ParsedStatement records (or an InputError) out."""

from __future__ import annotations

from relance.banking.parsers.camt import camt_kind, parse_camt, parse_xml
from relance.banking.parsers.common import check_not_archive, check_size, refuse
from relance.banking.parsers.csv import parse_bank_csv
from relance.banking.parsers.ofx import looks_like_ofx, parse_ofx
from relance.banking.records import ParsedStatement

FORMATS = ("auto", "camt053", "camt054", "ofx", "csv")


def detect_format(file: str, data: bytes) -> str:
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if looks_like_ofx(head):
        return "ofx"
    if head.startswith(b"<"):
        # The container element names the message; parse the whole file only when the head is unclear.
        if b"BkToCstmrDbtCdtNtfctn" in head:
            return "camt054"
        if b"BkToCstmrStmt" in head or b"BkToCstmrAcctRpt" in head:
            return "camt053"
        kind = camt_kind(parse_xml(file, data))
        if kind is None:
            raise refuse(file, "fichier XML non reconnu : seuls les relevés camt.053, camt.054 (ISO 20022) "
                               "et OFX sont acceptés.")
        return "camt054" if kind == "camt054" else "camt053"
    return "csv"


def parse_statement_file(file: str, data: bytes, fmt: str = "auto") -> list[ParsedStatement]:
    """Every statement of one file. Raises InputError with file/line/field problems."""
    if fmt not in FORMATS:
        raise refuse(file, f"format inconnu : {fmt} (attendu : {', '.join(FORMATS)})")
    check_size(file, len(data))
    check_not_archive(file, data)
    if fmt == "auto":
        fmt = detect_format(file, data)
    if fmt in ("camt053", "camt054"):
        return parse_camt(file, data)
    if fmt == "ofx":
        return parse_ofx(file, data)
    return parse_bank_csv(file, data)
