"""The canonical invoice layout of DESIGN.md, from CSV or from an Excel workbook.

English or French headers, `,` `;` or tab, UTF-8 (BOM or not) or Windows-1252, decimal comma or point,
ISO or dd/mm/yyyy dates. Every bad cell is reported with its line and column; nothing is half-read.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from relance.imports.parsers import fields as f
from relance.imports.parsers.base import ParseResult, Problems
from relance.imports.parsers.safety import check_zip, decode_text, refuse
from relance.ledger.records import CustomerRecord, InvoiceRecord

#: canonical name → accepted headers (compared after `fields.slug`)
COLUMNS: dict[str, tuple[str, ...]] = {
    "invoice_number": ("numero_facture", "n_facture", "no_facture", "numero"),
    "customer_ref": ("code_client", "ref_client", "reference_client"),
    "customer_name": ("nom_client", "client", "raison_sociale"),
    "customer_kind": ("type_client",),
    "customer_email": ("email", "e_mail", "courriel"),
    "customer_phone": ("telephone", "tel"),
    "customer_siren": ("siren", "siret"),
    "customer_address": ("adresse",),
    "issue_date": ("date_facture",),
    "due_date": ("date_echeance", "echeance"),
    "currency": ("devise",),
    "total_incl_tax": ("montant_ttc", "total_ttc"),
    "total_excl_tax": ("montant_ht", "total_ht"),
    "amount_paid": ("montant_regle", "deja_regle"),
    "paid_date": ("date_reglement",),
    "sent_date": ("date_envoi",),
    "po_number": ("bon_commande", "bon_de_commande"),
    "kind": ("type_piece", "type_document"),
}
REQUIRED = ("invoice_number", "customer_ref", "customer_name", "issue_date", "total_incl_tax")
FRENCH = {name: aliases[0] for name, aliases in COLUMNS.items()}
_ALIASES = {alias: name for name, aliases in COLUMNS.items() for alias in (name, *aliases)}

Row = dict[str, f.Cell]


def map_header(header: Sequence[f.Cell], file: str) -> list[str | None]:
    """Header cells → canonical names (None for columns we do not use); refuses missing required ones."""
    names = [_ALIASES.get(f.slug(f.text(cell))) for cell in header]
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        wanted = ", ".join(f"{n} / {FRENCH[n]}" for n in missing)
        raise refuse(file, f"colonne obligatoire absente : {wanted}", line=1, field=missing[0])
    return names


def rows_to_result(names: list[str | None], rows: Iterable[tuple[int, Sequence[f.Cell]]], file: str,
                   source: str) -> ParseResult:
    problems = Problems(file)
    records: dict[str, InvoiceRecord] = {}
    for line, cells in rows:
        if not any(f.text(c) for c in cells):
            continue  # blank lines are common at the end of spreadsheet exports
        row: Row = {name: cell for name, cell in zip(names, cells, strict=False) if name}
        record = _row_to_record(row, file, line, source, problems)
        if record is None:
            continue
        previous = records.get(record.number)
        if previous is not None and replace(previous, line=0) != replace(record, line=0):
            problems.add(line, "invoice_number", f"numéro {record.number} déjà présent ligne {previous.line} "
                                                 "avec des données différentes")
        elif previous is None:
            records[record.number] = record
    problems.raise_if_any()
    return ParseResult(records=list(records.values()))


def _cell(row: Row, name: str, parse: Callable[[f.Cell], Any], problems: Problems, line: int,
          default: Any = None) -> Any:
    raw = row.get(name)
    if f.text(raw) == "":
        if name in REQUIRED:
            problems.add(line, name, "valeur obligatoire manquante")
        return default
    try:
        return parse(raw)
    except ValueError as exc:
        problems.add(line, name, str(exc))
        return default


def _row_to_record(row: Row, file: str, line: int, source: str, problems: Problems) -> InvoiceRecord | None:
    before = len(problems.items)
    def get(name: str, parse: Callable[[f.Cell], Any] = f.text, default: Any = None) -> Any:
        return _cell(row, name, parse, problems, line, default)

    number, ref, name = get("invoice_number"), get("customer_ref"), get("customer_name")
    issue, due = get("issue_date", f.day), get("due_date", f.day)
    total, kind = get("total_incl_tax", f.amount), get("kind", f.document_kind, "invoice")
    paid = get("amount_paid", f.amount, Decimal("0.00"))
    siren, siret = get("customer_siren", f.siren_siret, ("", ""))
    customer = CustomerRecord(
        ref=ref or "", name=name or "", kind=get("customer_kind", f.customer_kind, "b2b"),
        email=get("customer_email", f.email, ""), phone=get("customer_phone", f.text, ""),
        siren=siren, siret=siret, address=get("customer_address", f.text, ""),
    )
    record = InvoiceRecord(
        file=file, line=line, number=number or "", customer=customer, issue_date=issue, due_date=due,
        total_incl_tax=total, kind=kind, currency=get("currency", f.currency, "EUR"),
        total_excl_tax=get("total_excl_tax", f.amount), amount_paid=paid, paid_date=get("paid_date", f.day),
        sent_date=get("sent_date", f.day), po_number=get("po_number", f.text, ""), source=source,
    )
    checked = _checked(record, problems)  # also on a row with bad cells: report every problem at once
    return checked if len(problems.items) == before else None


def _checked(record: InvoiceRecord, problems: Problems) -> InvoiceRecord | None:
    line, ok = record.line, True
    if record.total_incl_tax is None:
        return None
    if record.total_incl_tax < 0:
        if record.kind == "invoice":
            problems.add(line, "total_incl_tax", "montant TTC négatif sur une facture : s'il s'agit d'un avoir, "
                                                 "indiquez type_piece = avoir")
            return None
        else:
            record = replace(record, total_incl_tax=-record.total_incl_tax,
                             total_excl_tax=abs(record.total_excl_tax) if record.total_excl_tax else None)
    if record.due_date and record.issue_date and record.due_date < record.issue_date:
        problems.add(line, "due_date", f"échéance ({record.due_date:%d/%m/%Y}) antérieure à la date de facture "
                                       f"({record.issue_date:%d/%m/%Y})")
        ok = False
    if record.amount_paid is not None and not 0 <= record.amount_paid <= record.total_incl_tax:
        problems.add(line, "amount_paid", f"montant réglé ({record.amount_paid}) hors de 0 … montant TTC "
                                          f"({record.total_incl_tax})")
        ok = False
    return record if ok else None


# --- CSV --------------------------------------------------------------------------------------------

def sniff_delimiter(first_line: str) -> str:
    counts = {sep: first_line.count(sep) for sep in (";", "\t", ",")}
    return max(counts, key=lambda sep: counts[sep]) if any(counts.values()) else ";"


def parse_csv(data: bytes, *, file: str) -> ParseResult:
    text = decode_text(data, file)
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(first_line))
    try:
        header = next(reader)
    except StopIteration:
        raise refuse(file, "fichier vide")
    names = map_header(header, file)
    try:
        return rows_to_result(names, ((reader.line_num, row) for row in reader), file, "csv")
    except csv.Error as exc:
        raise refuse(file, f"CSV mal formé ligne {reader.line_num} : {exc}", line=reader.line_num)


# --- XLSX -------------------------------------------------------------------------------------------

def parse_xlsx(data: bytes, *, file: str) -> ParseResult:
    from openpyxl import load_workbook

    check_zip(data, file)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types on broken workbooks
        raise refuse(file, f"classeur Excel illisible : {exc}")
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise refuse(file, "classeur vide")
        names = map_header(header, file)
        return rows_to_result(names, ((i, row) for i, row in enumerate(rows, start=2)), file, "xlsx")
    finally:
        workbook.close()


# --- Writing (round trips, exports, benchmarks) ----------------------------------------------------

WRITTEN = ("invoice_number", "customer_ref", "customer_name", "customer_kind", "customer_email",
           "customer_phone", "customer_siren", "customer_address", "issue_date", "due_date", "currency",
           "total_incl_tax", "total_excl_tax", "amount_paid", "po_number", "kind")


def write_csv(records: Iterable[InvoiceRecord], *, delimiter: str = ";", french: bool = True) -> bytes:
    """The canonical CSV of `records` (decimal comma and dd/mm/yyyy when `french`)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow([FRENCH[n] if french else n for n in WRITTEN])
    for r in records:
        writer.writerow(_written_row(r, french))
    return out.getvalue().encode("utf-8")


def _written_row(r: InvoiceRecord, french: bool) -> list[str]:
    def amount(value: Decimal | None) -> str:
        if value is None:
            return ""
        return f"{value:.2f}".replace(".", ",") if french else f"{value:.2f}"

    def day(value: date | None) -> str:
        if value is None:
            return ""
        return value.strftime("%d/%m/%Y") if french else value.isoformat()

    c = r.customer
    return [r.number, c.ref, c.name, c.kind, c.email, c.phone, c.siret or c.siren, c.address,
            day(r.issue_date), day(r.due_date), r.currency, amount(r.total_incl_tax), amount(r.total_excl_tax),
            amount(r.amount_paid), r.po_number, "avoir" if r.kind == "credit_note" else "facture"]
