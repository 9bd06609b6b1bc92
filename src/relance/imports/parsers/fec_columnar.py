"""The FEC read by columns with polars: the fast path for well-formed files.

`read_columnar` returns None as soon as the file is not plainly well-formed — a blank line, a lone carriage
return, a row without exactly 18 columns, a date that is not AAAAMMJJ, an amount that is not digits with at
most two decimals, an unknown Sens, a piece without PieceRef. The line-by-line reader of `fec` then reads the
file and names every problem with its line and field, so errors are exactly what they always were. On a
well-formed file both readers return the same records (tests compare them).

Amounts are whole cents (Int64) while grouping; they become Decimal only on the records. Lettering groups
holding a credit note are settled by `fec.settle` itself (few in a real file); the others — an invoice and its
payments — are settled here with running sums, as `settle` would: payments to the oldest invoice line first.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import polars as pl

from relance.imports.parsers.base import CreditLink, ParseResult
from relance.imports.parsers.fec import ZERO, _Line, _Piece, closing_date_from_name, settle
from relance.ledger.records import CustomerRecord, InvoiceRecord

NAMES = ("journal", "journal_name", "entry", "entry_date", "account", "account_name", "aux", "aux_name", "piece",
         "piece_date", "label", "debit_text", "credit_text", "letter", "letter_date", "valid_date", "fx_amount",
         "fx_code")
SCHEMA = dict.fromkeys(NAMES, pl.String)
#: the columns read (labels, validation date and currency amounts are never used)
USED = [i for i, name in enumerate(NAMES) if name not in ("journal_name", "label", "valid_date", "fx_amount",
                                                           "fx_code")]
_AMOUNT = r"^-?[0-9]+([.,][0-9]{1,2})?$"
_MAX_CENTS = 10**13  # a hundred billion: far beyond any invoice, well within exact float arithmetic
_DEBIT_SIGNS, _CREDIT_SIGNS = ["D", "+1"], ["C", "-1"]


class _NotPlain(Exception):
    """The file needs the line-by-line reader."""


def read_columnar(data: bytes, *, encoding: str, sep: str, signed: bool, file: str) -> ParseResult | None:
    try:
        frame = _frame(data, encoding, sep)
        lines = _typed(frame, signed)
        return _result(lines, file)
    except _NotPlain:
        return None


def _frame(data: bytes, encoding: str, sep: str) -> pl.DataFrame:
    start = data.find(b"\n") + 1
    if start == 0 or start == len(data):
        raise _NotPlain  # nothing after the header
    if not encoding.startswith("utf-8"):
        data = data.decode(encoding).encode()  # polars reads UTF-8 only
        start = data.find(b"\n") + 1
    # Counted over the whole file, header included, rather than over a copy of the body (140 MB for a
    # million lines); the header's own separators and line end are taken off.
    if (returns := data.count(b"\r")) and returns != data.count(b"\r\n"):
        raise _NotPlain  # a lone carriage return ends a line for the other reader
    rows = data.count(b"\n") - 1 + (0 if data.endswith(b"\n") else 1)
    if data.count(sep.encode()) - data.count(sep.encode(), 0, start) != 17 * rows:
        raise _NotPlain  # a row without 18 columns, or a blank line (a longer row makes polars fail below)
    try:
        frame = pl.read_csv(data, separator=sep, has_header=False, skip_rows=1, schema=SCHEMA, quote_char=None,
                            empty_string_is_null=False, low_memory=False, columns=USED)
    except pl.exceptions.PolarsError:
        raise _NotPlain
    if frame.height != rows:
        raise _NotPlain
    return frame


def _date(name: str) -> pl.Expr:
    """The AAAAMMJJ cell as a date, null where it is none (year 0000 included: polars reads it, Python cannot)."""
    text = pl.col(name)
    return pl.when(text.str.starts_with("0000")).then(None).otherwise(text.str.strptime(pl.Date, "%Y%m%d",
                                                                                            strict=False))


def _plain_date(name: str) -> pl.Expr:
    """True where the cell is AAAAMMJJ and a real date."""
    return pl.col(name).str.contains(r"^[0-9]{8}$") & _date(name).is_not_null()


def _cents(name: str) -> pl.Expr:
    """Whole cents of an amount cell already stripped and checked (`_plain_amount`)."""
    text = pl.col(name)
    value = text.str.replace(",", ".", literal=True).cast(pl.Float64, strict=False)
    return pl.when(text == "").then(0).otherwise((value * 100).round(0).cast(pl.Int64))


def _plain_amount(name: str) -> pl.Expr:
    """True where the (stripped) cell is empty or digits with at most two decimals."""
    text = pl.col(name)
    return (text == "") | text.str.contains(_AMOUNT)


def _check(frame: pl.DataFrame, condition: pl.Expr) -> None:
    if not frame.select(condition.all()).item():
        raise _NotPlain


def _typed(frame: pl.DataFrame, signed: bool) -> pl.DataFrame:
    """Every line with its date and amounts checked and typed; the other reader names what fails."""
    frame = frame.with_row_index("line", offset=2).with_columns(
        pl.col("debit_text", "credit_text").str.strip_chars(), day=_date("entry_date"))
    plain = pl.col("entry_date").str.contains(r"^[0-9]{8}$") & pl.col("day").is_not_null() & _plain_amount(
        "debit_text")
    if signed:
        sign = pl.col("credit_text").str.to_uppercase()
        _check(frame, plain & sign.is_in([*_DEBIT_SIGNS, *_CREDIT_SIGNS]))
        amount = _cents("debit_text")
        debit = pl.when(sign.is_in(_DEBIT_SIGNS)).then(amount).otherwise(0)
        credit = pl.when(sign.is_in(_CREDIT_SIGNS)).then(amount).otherwise(0)
    else:
        _check(frame, plain & _plain_amount("credit_text"))
        debit, credit = _cents("debit_text"), _cents("credit_text")
    frame = frame.with_columns(debit=debit, credit=credit).drop("entry_date", "debit_text", "credit_text")
    _check(frame, (pl.col("debit").abs() < _MAX_CENTS) & (pl.col("credit").abs() < _MAX_CENTS))
    return frame


def _result(lines: pl.DataFrame, file: str) -> ParseResult:
    account = pl.col("account")
    revenue = (lines.filter(account.str.starts_with("70"))
               .group_by("journal", "entry").agg(revenue=(pl.col("credit") - pl.col("debit")).sum()))
    customer = _customer_lines(lines.filter(account.str.starts_with("411")), revenue)
    closing = closing_date_from_name(file) or lines.select(pl.col("day").max()).item()
    customers = {ref: CustomerRecord(ref=ref, name=name) for ref, name in
                 customer.unique("ref", keep="first", maintain_order=True).select("ref", "name").iter_rows()}
    pieces = _pieces(customer, revenue)
    lettered = customer.filter((pl.col("letter") != "")
                               & (pl.col("letter_date").is_null() | (pl.col("letter_date") <= closing)))
    with_credit_note = (lettered.group_by("ref", "letter")
                        .agg(complex=(pl.col("sales") & (pl.col("credit") > pl.col("debit"))).any()))
    lettered = lettered.join(with_credit_note, on=["ref", "letter"], how="left", maintain_order="left")
    paid = _paid_simple(lettered.filter(~pl.col("complex")))
    extra, links = _paid_complex(lettered.filter(pl.col("complex")), file)
    return ParseResult(credit_links=links, table=FecInvoices(_invoice_frame(pieces, paid, extra), customers, file))


def _customer_lines(lines: pl.DataFrame, revenue: pl.DataFrame) -> pl.DataFrame:
    """Customer-account lines with their customer, piece, dates, and whether they belong to a sales entry."""
    stripped = ("aux", "aux_name", "piece", "piece_date", "letter", "letter_date")
    frame = lines.with_columns(pl.col(name).str.strip_chars() for name in stripped)
    frame = frame.with_columns(ref=pl.when(pl.col("aux") != "").then("aux")
                               .otherwise(pl.col("account").str.strip_chars()))
    frame = frame.with_columns(name=pl.when(pl.col("aux_name") != "").then("aux_name")
                               .when(pl.col("account_name").str.strip_chars() != "")
                               .then(pl.col("account_name").str.strip_chars()).otherwise("ref"))
    dated_letter = (pl.col("letter") != "") & (pl.col("letter_date") != "")
    _check(frame, ((pl.col("piece_date") == "") | _plain_date("piece_date"))
           & (~dated_letter | _plain_date("letter_date")))
    frame = frame.with_columns(
        piece_day=pl.when(pl.col("piece_date") == "").then("day").otherwise(_date("piece_date")),
        letter_date=pl.when(dated_letter).then(_date("letter_date")).otherwise(None),
    )
    sales = revenue.select("journal", "entry", sales=pl.lit(True))
    return (frame.join(sales, on=["journal", "entry"], how="left", maintain_order="left")
            .with_columns(pl.col("sales").fill_null(False)))


def _pieces(customer: pl.DataFrame, revenue: pl.DataFrame) -> pl.DataFrame:
    """(customer, PieceRef) over sales entries, in the order of their first line, with revenue excl. tax."""
    sales = customer.filter("sales")
    _check(sales, pl.col("piece") != "")
    pieces = sales.group_by("ref", "piece", maintain_order=True).agg(
        line=pl.col("line").min(), day=pl.col("piece_day").min(),
        balance=(pl.col("debit") - pl.col("credit")).sum())
    excl = (sales.select("ref", "piece", "journal", "entry").unique()
            .join(revenue, on=["journal", "entry"]).group_by("ref", "piece").agg(excl=pl.col("revenue").sum()))
    return pieces.join(excl, on=["ref", "piece"], how="left", maintain_order="left")


def _paid_simple(lettered: pl.DataFrame) -> pl.DataFrame:
    """Groups without a credit note: payments go to owed lines, oldest first (running sums per group)."""
    group = ["ref", "letter"]
    totals = lettered.group_by(group).agg(
        payments=pl.when(~pl.col("sales")).then(pl.col("credit") - pl.col("debit")).otherwise(0).sum().clip(0),
        paid_on=pl.coalesce("letter_date", "piece_day").max())
    owed = (lettered.filter(pl.col("sales") & (pl.col("debit") > pl.col("credit")))
            .with_columns(owed=pl.col("debit") - pl.col("credit"))
            .sort("piece_day", "line")
            .with_columns(before=pl.col("owed").cum_sum().over(group) - pl.col("owed"))
            .join(totals, on=group))
    used = pl.min_horizontal((pl.col("payments") - pl.col("before")).clip(0), pl.col("owed"))
    return (owed.with_columns(used=used).filter(pl.col("used") > 0)
            .group_by("ref", "piece").agg(paid=pl.col("used").sum(), paid_date=pl.col("paid_on").max()))


def _paid_complex(lettered: pl.DataFrame, file: str) -> tuple[dict[tuple[str, str], _Piece], list[CreditLink]]:
    """Groups holding a credit note, settled by the line-by-line reader's own rules."""
    groups: dict[tuple[str, str], list[_Line]] = {}
    pieces: dict[tuple[str, str], _Piece] = {}
    columns = ("line", "journal", "entry", "ref", "piece", "piece_day", "debit", "credit", "letter",
               "letter_date", "sales")
    for number, journal, entry, ref, piece, day, debit, credit, letter, letter_date, sales in (
            lettered.select(columns).iter_rows()):
        ln = _Line(number, (journal, entry), ref, piece, day, _money(debit), _money(credit), letter, letter_date,
                   sales)
        groups.setdefault((ref, letter), []).append(ln)
        if (ref, piece) not in pieces:
            pieces[(ref, piece)] = _Piece(number, ref, piece, day)
    links = settle(groups.values(), pieces, file)
    return pieces, links


def _money(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def _invoice_frame(pieces: pl.DataFrame, paid: pl.DataFrame, extra: dict[tuple[str, str], _Piece]) -> pl.DataFrame:
    """One row per invoice or credit note, in the order of its first line; amounts in whole cents.

    Columns: ref, number, line, issue_date, kind, total (> 0), excl (None when nil), paid (what the
    accounting says is paid, at most the total; 0 for a credit note) and paid_date (None when nothing was)."""
    more = [(ref, piece, int(p.paid.scaleb(2)), p.paid_date) for (ref, piece), p in extra.items() if p.paid]
    more_frame = pl.DataFrame(more, schema={"ref": pl.String, "piece": pl.String, "more": pl.Int64,
                                            "more_date": pl.Date}, orient="row")
    balance, excl, kind = pl.col("balance"), pl.col("excl"), pl.col("kind")
    settled, total = pl.col("settled"), pl.col("total")
    return (pieces.filter(balance != 0)
            .join(paid, on=["ref", "piece"], how="left", maintain_order="left")
            .join(more_frame, on=["ref", "piece"], how="left", maintain_order="left")
            .select("ref", "line", number="piece", issue_date="day",
                    kind=pl.when(balance > 0).then(pl.lit("invoice")).otherwise(pl.lit("credit_note")),
                    total=balance.abs(),
                    excl=pl.when(excl.is_not_null() & (excl != 0)).then(excl.abs()),
                    settled=pl.col("paid").fill_null(0) + pl.col("more").fill_null(0),
                    paid_date=pl.max_horizontal("paid_date", "more_date"))
            .with_columns(paid=pl.when(kind == "invoice").then(pl.min_horizontal(settled, total)).otherwise(0),
                          paid_date=pl.when(settled != 0).then("paid_date"))
            .drop("settled"))


#: every field of an InvoiceRecord at its default, for `_record`
_DEFAULTS = dict(InvoiceRecord(file="", line=0, number="", customer=CustomerRecord(ref="", name=""),
                               issue_date=date.min, due_date=None, total_incl_tax=ZERO, source="fec").__dict__)


def _record(values: dict[str, object]) -> InvoiceRecord:
    """An InvoiceRecord built without its generated __init__: a frozen dataclass sets each of its twenty
    fields through object.__setattr__, four times the cost of filling the instance dictionary at once (an
    import of 230,000 invoices spends a second there). Same fields and values; tests compare the records."""
    record = object.__new__(InvoiceRecord)
    record.__dict__.update(_DEFAULTS)
    record.__dict__.update(values)
    return record


def money_text(cents: pl.Expr) -> pl.Expr:
    """Whole cents (≥ 0) as the text of a two-decimal amount, str() of its Decimal: 123456 → "1234.56"."""
    return (cents // 100).cast(pl.String) + "." + (cents % 100).cast(pl.String).str.zfill(2)


def _decimals(texts: list[str | None]) -> list[Decimal | None]:
    """Decimal built from text in one C-level pass (a third of the cost of one Decimal per row in Python)."""
    return [None if t is None else d for t, d in zip(texts, map(Decimal, (t or "0" for t in texts)), strict=True)]


class FecInvoices:
    """The invoices and credit notes of a FEC as a table (see `_invoice_frame`), with their customers.

    The import writes most rows straight from the table; `records` builds InvoiceRecords for the others
    (or for every row, when the file is not imported alone)."""

    def __init__(self, frame: pl.DataFrame, customers: dict[str, CustomerRecord], file: str) -> None:
        self.frame, self.file = frame, file
        #: the customers of the invoices, in the order of their first invoice (as records would give them)
        self.customers = {ref: customers[ref] for ref in frame.get_column("ref").unique(maintain_order=True)}

    def records(self, frame: pl.DataFrame | None = None) -> list[InvoiceRecord]:
        """InvoiceRecords for the rows of `frame` (a part of this table), or of the whole table."""
        table = (self.frame if frame is None else frame).select(
            "ref", "number", "line", "issue_date", "kind", money_text(pl.col("total")),
            money_text(pl.col("excl")), money_text(pl.col("paid")), "paid_date")
        refs, numbers, lines, days, kinds, totals, excls, paids, paid_dates = (
            column.to_list() for column in table.get_columns())
        customers, file = self.customers, self.file
        return [_record({
            "file": file, "line": line, "number": number, "customer": customers[ref], "issue_date": day,
            "total_incl_tax": total, "kind": kind, "total_excl_tax": excl_tax, "amount_paid": paid,
            "paid_date": paid_date, "source_ref": f"{ref}/{number}",
        }) for ref, number, line, day, kind, total, excl_tax, paid, paid_date in zip(
            refs, numbers, lines, days, kinds, _decimals(totals), _decimals(excls), _decimals(paids), paid_dates,
            strict=True)]
