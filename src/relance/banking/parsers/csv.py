"""Bank CSV exports (French banks: `;` separator, decimal comma, dd/mm/yyyy, Windows-1252 or UTF-8).

The header row is found among the first lines (banks put the account and balance above it); columns
are recognised by name: a date, either one signed amount or separate debit/credit columns, a label and
optionally a reference, a counterparty name and IBAN.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from datetime import date
from decimal import Decimal

from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from relance.banking.parsers.common import RefAllocator, clean, decode_text, line_fingerprint, refuse
from relance.banking.records import BankLine, ParsedStatement
from relance.core.dates import parse_date
from relance.core.errors import InputError, InputProblem
from relance.core.money import money, parse_amount

COLUMNS: dict[str, tuple[str, ...]] = {
    "date": ("date", "date operation", "date de l operation", "date d operation", "date comptable",
             "dateop", "date op", "booking date", "operation date", "date de comptabilisation",
             "settlement date", "date valeur", "dateval", "value date"),
    "amount": ("montant", "montant operation", "montant de l operation", "montant eur", "montant euros",
               "amount", "total amount", "montant en euros", "somme"),
    "credit": ("credit", "credit euros", "credit eur", "credits", "montant credit", "credit amount"),
    "debit": ("debit", "debit euros", "debit eur", "debits", "montant debit", "debit amount"),
    "label": ("libelle", "libelle operation", "libelle de l operation", "libelle court", "label",
              "description", "detail", "detail de l ecriture", "details", "intitule", "nature de l operation"),
    "detail": ("libelle complementaire", "informations complementaires", "memo", "libelle long",
               "libelle detaille", "motif", "communication"),
    "txid": ("transaction id", "id transaction", "identifiant de transaction", "numero d operation",
             "reference banque", "reference de l operation", "id"),
    # With a transaction-id column beside it, « Référence » is the payer's (Qonto, Shine…): remittance text.
    "reference": ("reference", "ref", "reference client", "reference du virement"),
    "payer_name": ("nom du tiers", "tiers", "counterparty name", "contrepartie", "nom de la contrepartie",
                   "emetteur", "donneur d ordre", "counterparty"),
    "payer_iban": ("iban", "iban du tiers", "iban contrepartie", "counterparty iban", "compte contrepartie"),
    "currency": ("devise", "currency", "monnaie"),
}
_LOOKUP = {alias: key for key, aliases in COLUMNS.items() for alias in aliases}
_IBAN_TEXT = re.compile(r"\b([A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){3,7}(?: ?[A-Z0-9]{1,4})?)\b")
_SHORT_YEAR = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2})$")


def normalise_header(cell: str) -> str:
    text = unicodedata.normalize("NFKD", cell).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"\(.*?\)|[€]", " ", text)
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def _mapping(row: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for i, cell in enumerate(row):
        key = _LOOKUP.get(normalise_header(cell))
        if key and key not in found:
            found[key] = i
    return found


def _is_header(mapping: dict[str, int]) -> bool:
    return "date" in mapping and ("amount" in mapping or "credit" in mapping)


def _delimiter(text: str) -> str:
    sample = text[:4096].splitlines()[:20]
    counts = {d: sum(line.count(d) for line in sample) for d in (";", "\t", ",", "|")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ";"


def _date(text: str) -> date:
    if m := _SHORT_YEAR.match(text.strip()):
        return date(2000 + int(m.group(3)), int(m.group(2)), int(m.group(1)))
    return parse_date(text)


def _account_iban(preamble: list[list[str]]) -> str:
    for row in preamble:
        for m in _IBAN_TEXT.finditer(" ".join(row).upper()):
            try:
                return str(IBAN(m.group(1)))
            except SchwiftyException:
                continue
    return ""


def parse_bank_csv(file: str, data: bytes) -> list[ParsedStatement]:
    text = decode_text(data).replace("\x00", "")
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text)))
    except csv.Error as exc:
        raise refuse(file, f"CSV illisible : {exc}")
    header_at = next((i for i, row in enumerate(rows[:30]) if _is_header(_mapping(row))), None)
    if header_at is None:
        raise refuse(file, "en-tête introuvable : il faut au moins une colonne « Date » et une colonne "
                           "« Montant » (ou « Débit »/« Crédit »).", line=1)
    mapping = _mapping(rows[header_at])
    parsed = ParsedStatement(file=file, format="csv", account_iban=_account_iban(rows[:header_at]))
    refs, problems = RefAllocator(), []
    for number, row in enumerate(rows[header_at + 1:], start=header_at + 2):
        try:
            line = _row(file, number, row, mapping, parsed, refs)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        if line is not None:
            parsed.lines.append(line)
    if problems:
        raise InputError(problems)
    parsed.closing_date = max((line.booking_date for line in parsed.lines), default=None)
    parsed.opening_date = min((line.booking_date for line in parsed.lines), default=None)
    return [parsed]


def _cell(row: list[str], mapping: dict[str, int], key: str) -> str:
    i = mapping.get(key)
    return clean(row[i]) if i is not None and i < len(row) else ""


def _signed_amount(file: str, number: int, row: list[str], mapping: dict[str, int]) -> Decimal:
    def read(key: str) -> Decimal:
        raw = _cell(row, mapping, key)
        try:
            return parse_amount(raw) if raw else Decimal("0")
        except ValueError as exc:
            raise refuse(file, str(exc), line=number, field=key)

    if "amount" in mapping:
        return read("amount")
    # Separate columns: some banks write debits as negative numbers, others as positive ones.
    return abs(read("credit")) - abs(read("debit")) if "debit" in mapping else read("credit")


def _row(file: str, number: int, row: list[str], mapping: dict[str, int], stmt: ParsedStatement,
         refs: RefAllocator) -> BankLine | None:
    raw_date = _cell(row, mapping, "date")
    if not any(clean(c) for c in row) or not raw_date:
        return None  # blank lines and footers ("Solde au …") carry no date
    try:
        day = _date(raw_date)
    except ValueError as exc:
        raise InputError([InputProblem(file, number, "date", str(exc))])
    amount = _signed_amount(file, number, row, mapping)
    if amount == 0:
        return None
    reference, txid = _cell(row, mapping, "reference"), _cell(row, mapping, "txid")
    texts = (_cell(row, mapping, "label"), _cell(row, mapping, "detail"), reference if txid else "")
    label = " ".join(p for p in texts if p)
    reference = txid or reference
    account = stmt.account or "csv"
    ref = f"{account}:{reference}" if reference else line_fingerprint(account, day, abs(amount), label)
    return BankLine(
        bank_ref=refs.unique(ref), booking_date=day, amount=money(abs(amount)),
        currency=(_cell(row, mapping, "currency") or "EUR").upper()[:3], credit=amount > 0,
        payer_name=_cell(row, mapping, "payer_name"),
        payer_iban=_cell(row, mapping, "payer_iban").replace(" ", "").upper(),
        remittance=label, end_to_end_id="", line=number,
    )
