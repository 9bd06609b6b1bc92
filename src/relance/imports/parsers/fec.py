"""The FEC (Fichier des écritures comptables, article A47 A-1 of the LPF) as a receivables ledger.

- customers: the 411… accounts, by CompAuxNum / CompAuxLib (else CompteNum / CompteLib);
- invoices and credit notes: the customer lines of sales entries (entries with a 70… line), grouped by
  (customer, PieceRef): a debit balance is an invoice, a credit balance a credit note;
- settlement: customer lines lettered (EcritureLet) on or before the file's closing date (DateLet) are
  matched within their lettering group: credit notes first, then payments, oldest invoice first. A group
  that does not balance (partial lettering) leaves the rest of its invoices open.
- due dates: the FEC has none; the import service applies the customer's terms, else the organisation's.
- amounts: Debit and Credit columns, or the variant the article allows (BOI-CF-IOR-60-40-20): one Montant
  column and a Sens column (D or C; +1 or -1 as some software writes it).

A well-formed file is read by columns with polars (`fec_columnar`); any file that reader does not find
plainly well-formed is read here line by line, which names every problem with its line and field.
"""

from __future__ import annotations

import io
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from relance.core.money import money, parse_amount
from relance.imports.parsers.base import CreditLink, ParseResult, Problems
from relance.imports.parsers.safety import refuse, text_encoding
from relance.ledger.records import CustomerRecord, InvoiceRecord

COLUMNS = ("JournalCode", "JournalLib", "EcritureNum", "EcritureDate", "CompteNum", "CompteLib", "CompAuxNum",
           "CompAuxLib", "PieceRef", "PieceDate", "EcritureLib", "Debit", "Credit", "EcritureLet", "DateLet",
           "ValidDate", "Montantdevise", "Idevise")
#: the same 18 columns with one signed-by-letter amount instead of Debit and Credit
SIGNED_COLUMNS = (*COLUMNS[:11], "Montant", "Sens", *COLUMNS[13:])
DEBIT_SIGNS, CREDIT_SIGNS = frozenset({"D", "+1"}), frozenset({"C", "-1"})
(JOURNAL, _JLIB, ENTRY, ENTRY_DATE, ACCOUNT, ACCOUNT_NAME, AUX, AUX_NAME, PIECE, PIECE_DATE, _LIB, DEBIT, CREDIT,
 LETTER, LETTER_DATE, *_REST) = range(18)
CUSTOMER_PREFIX, SALES_PREFIX = "411", "70"
_FILENAME_DATE = re.compile(r"FEC(\d{8})", re.IGNORECASE)
ZERO = Decimal("0.00")


@dataclass
class _Line:
    """A customer-account line, the only kind that makes receivables."""

    number: int
    entry: tuple[str, str]
    customer: str
    piece: str
    day: date
    debit: Decimal
    credit: Decimal
    letter: str
    letter_date: date | None
    sales: bool = False  # part of a sales entry (known once the whole file is read)


@dataclass
class _Piece:
    """An invoice or credit note in the making: (customer, PieceRef) over sales entries."""

    line: int
    customer: str
    number: str
    day: date
    balance: Decimal = ZERO
    excl_tax: Decimal = ZERO
    paid: Decimal = ZERO
    paid_date: date | None = None
    lines: list[_Line] = field(default_factory=list)


@lru_cache(maxsize=8192)
def _fec_date(text: str) -> date:
    if len(text) == 8 and text.isdigit():
        try:
            return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
        except ValueError:
            raise ValueError(f"date illisible : {text!r} (attendu AAAAMMJJ)")
    from relance.core.dates import parse_date

    return parse_date(text)


def _fec_amount(text: str) -> Decimal:
    if not text:
        return ZERO
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation:
        return money(parse_amount(text))


def _signed_amount(amount: str, sign: str) -> tuple[Decimal, Decimal]:
    """Montant + Sens → (debit, credit)."""
    value = _fec_amount(amount)
    sign = sign.strip().upper()
    if sign in DEBIT_SIGNS:
        return value, ZERO
    if sign in CREDIT_SIGNS:
        return ZERO, value
    raise LookupError(f"sens inconnu : {sign!r} (attendu D pour débit ou C pour crédit)")


class _Reader:
    def __init__(self, file: str, *, signed: bool = False) -> None:
        self.file = file
        self.signed = signed  # Montant/Sens instead of Debit/Credit
        self.problems = Problems(file)
        self.customers: dict[str, CustomerRecord] = {}
        self.sales_entries: dict[tuple[str, str], Decimal] = {}  # entry → revenue excl. tax
        self.lines: list[_Line] = []
        self.last_day: date | None = None

    def read(self, number: int, cols: list[str]) -> None:
        if len(cols) != 18:
            self.problems.add(number, None, f"{len(cols)} colonnes au lieu des 18 du FEC")
            return
        account = cols[ACCOUNT]
        try:
            day = _fec_date(cols[ENTRY_DATE])
        except ValueError as exc:
            self.problems.add(number, "EcritureDate", str(exc))
            return
        try:
            if self.signed:
                debit, credit = _signed_amount(cols[DEBIT], cols[CREDIT])
            else:
                debit, credit = _fec_amount(cols[DEBIT]), _fec_amount(cols[CREDIT])
        except ValueError as exc:
            self.problems.add(number, "Montant" if self.signed else "Debit/Credit", str(exc))
            return
        except LookupError as exc:
            self.problems.add(number, "Sens", str(exc.args[0]))
            return
        if self.last_day is None or day > self.last_day:
            self.last_day = day
        entry = (cols[JOURNAL], cols[ENTRY])
        if account.startswith(SALES_PREFIX):
            self.sales_entries[entry] = self.sales_entries.get(entry, ZERO) + credit - debit
        elif account.startswith(CUSTOMER_PREFIX):
            self._customer_line(number, cols, entry, day, debit, credit)

    def _customer_line(self, number: int, cols: list[str], entry: tuple[str, str], day: date, debit: Decimal,
                       credit: Decimal) -> None:
        ref = cols[AUX].strip() or cols[ACCOUNT].strip()
        if ref not in self.customers:
            name = cols[AUX_NAME].strip() or cols[ACCOUNT_NAME].strip() or ref
            self.customers[ref] = CustomerRecord(ref=ref, name=name)
        letter_date = None
        if cols[LETTER].strip() and cols[LETTER_DATE].strip():
            try:
                letter_date = _fec_date(cols[LETTER_DATE].strip())
            except ValueError as exc:
                self.problems.add(number, "DateLet", str(exc))
        try:
            piece_day = _fec_date(cols[PIECE_DATE].strip()) if cols[PIECE_DATE].strip() else day
        except ValueError as exc:
            self.problems.add(number, "PieceDate", str(exc))
            piece_day = day
        self.lines.append(_Line(number, entry, ref, cols[PIECE].strip(), piece_day, debit, credit,
                                cols[LETTER].strip(), letter_date))


def closing_date_from_name(file: str) -> date | None:
    m = _FILENAME_DATE.search(file)
    try:
        return _fec_date(m.group(1)) if m else None
    except ValueError:
        return None


def parse_fec(data: bytes, *, file: str) -> ParseResult:
    encoding = text_encoding(data, file, legacy=("cp1252", "iso-8859-15"))
    end = data.find(b"\n")
    header = data[:len(data) if end < 0 else end].decode(encoding).lstrip("\ufeff").rstrip("\r\n")
    sep = "\t" if header.count("\t") >= header.count("|") else "|"
    signed = _check_header(header.split(sep), file)
    try:
        from relance.imports.parsers.fec_columnar import read_columnar  # polars, imported only for a FEC
    except ImportError:  # an install without polars still imports, line by line
        fast = None
    else:
        fast = read_columnar(data, encoding=encoding, sep=sep, signed=signed, file=file)
    return fast if fast is not None else parse_fec_lines(data, encoding=encoding, sep=sep, signed=signed, file=file)


def parse_fec_lines(data: bytes, *, encoding: str, sep: str, signed: bool, file: str) -> ParseResult:
    """Line by line: every problem named with its line and field."""
    # Decode while reading: a FEC can weigh hundreds of megabytes, and a second copy as text would double it.
    stream = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")
    stream.readline()
    reader = _Reader(file, signed=signed)
    for number, raw in enumerate(stream, start=2):
        raw = raw.rstrip("\r\n")
        if raw:
            reader.read(number, raw.split(sep))
    reader.problems.raise_if_any()
    closing = closing_date_from_name(file) or reader.last_day or date.min
    return _build(reader, closing)


def _check_header(names: list[str], file: str) -> bool:
    """True for the Montant/Sens variant, False for Debit/Credit; else a refusal naming the column expected."""
    found = [n.strip().lower() for n in names]
    signed = len(found) > 12 and (found[11], found[12]) == ("montant", "sens")
    for i, expected in enumerate(SIGNED_COLUMNS if signed else COLUMNS):
        if i >= len(found) or found[i] != expected.lower():
            got = names[i].strip() if i < len(names) else "rien"
            raise refuse(file, f"en-tête FEC inattendu : colonne {i + 1} « {got} » au lieu de « {expected} » "
                               "(les 18 colonnes obligatoires, dans l'ordre, séparées par tabulation ou |, "
                               "avec Debit et Credit ou bien Montant et Sens)",
                         line=1, field=expected)
    return signed


def _build(reader: _Reader, closing: date) -> ParseResult:
    pieces: dict[tuple[str, str], _Piece] = {}
    groups: dict[tuple[str, str], list[_Line]] = defaultdict(list)
    for ln in reader.lines:
        ln.sales = ln.entry in reader.sales_entries
        if ln.sales:
            piece = pieces.get((ln.customer, ln.piece))
            if piece is None:
                piece = pieces[(ln.customer, ln.piece)] = _Piece(ln.number, ln.customer, ln.piece, ln.day)
            piece.balance += ln.debit - ln.credit
            piece.lines.append(ln)
            piece.day = min(piece.day, ln.day)
        if ln.letter and (ln.letter_date is None or ln.letter_date <= closing):
            groups[(ln.customer, ln.letter)].append(ln)
    for piece in pieces.values():
        if not piece.number:
            reader.problems.add(piece.line, "PieceRef", "référence de pièce (numéro de facture) manquante")
    reader.problems.raise_if_any()
    _add_revenue(pieces, reader.sales_entries)
    links = settle(groups.values(), pieces, reader.file)
    return ParseResult(records=_records(pieces, reader), credit_links=links)


def _add_revenue(pieces: dict[tuple[str, str], _Piece], revenue: dict[tuple[str, str], Decimal]) -> None:
    for piece in pieces.values():
        for entry in {ln.entry for ln in piece.lines}:
            piece.excl_tax += revenue[entry]


def settle(groups: Iterable[list[_Line]], pieces: Mapping[tuple[str, str], _Piece],
           file: str) -> list[CreditLink]:
    """Within each lettering group: credit notes first, then payments, oldest invoice line first."""
    links: list[CreditLink] = []
    for lines in groups:
        owed = [ln for ln in lines if ln.sales and ln.debit > ln.credit]
        owed.sort(key=lambda ln: (ln.day, ln.number))
        credits = [ln for ln in lines if ln.sales and ln.credit > ln.debit]
        payments = sum((ln.credit - ln.debit for ln in lines if not ln.sales), ZERO)
        paid_on = max((ln.letter_date or ln.day for ln in lines), default=None)
        remaining = {id(ln): ln.debit - ln.credit for ln in owed}
        for cn in credits:
            available = cn.credit - cn.debit
            for ln in owed:
                used = min(available, remaining[id(ln)])
                if used > 0:
                    remaining[id(ln)] -= used
                    available -= used
                    links.append(CreditLink(file, cn.number, cn.piece, ln.piece, money(used),
                                            paid_on or ln.day))
        for ln in owed:
            used = min(max(payments, ZERO), remaining[id(ln)])
            if used > 0:
                payments -= used
                piece = pieces[(ln.customer, ln.piece)]
                piece.paid += used
                piece.paid_date = max(piece.paid_date or date.min, paid_on or ln.day)
    return links


def _records(pieces: dict[tuple[str, str], _Piece], reader: _Reader) -> list[InvoiceRecord]:
    records = []
    for piece in pieces.values():
        if piece.balance == 0:
            continue  # an entry cancelled within the same piece leaves nothing to collect
        kind = "invoice" if piece.balance > 0 else "credit_note"
        total = money(abs(piece.balance))
        excl = money(abs(piece.excl_tax)) if piece.excl_tax else None
        records.append(InvoiceRecord(
            file=reader.file, line=piece.line, number=piece.number, customer=reader.customers[piece.customer],
            issue_date=piece.day, due_date=None, total_incl_tax=total, kind=kind, total_excl_tax=excl,
            amount_paid=money(min(piece.paid, total)) if kind == "invoice" else ZERO,
            paid_date=piece.paid_date if piece.paid else None, source="fec",
            source_ref=f"{piece.customer}/{piece.number}",
        ))
    return records
