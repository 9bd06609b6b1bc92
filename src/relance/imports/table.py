"""The bulk of a FEC read by columns, planned and written as a table: no Python object per invoice.

A FEC of a million lines holds a few hundred thousand invoices. Nearly all of them are either new and
settled by payments only (or not at all), or unchanged since the last import. Those rows go from the
parser's table to the database by columns: due dates, fingerprints, statuses and the "accounting"
allocations are computed exactly as the record path computes them (tests import the same files both
ways and compare every row). Every other row — one a credit note is set against, one changed since the
last import (or a conflict) — is handed back to the record path as an InvoiceRecord.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import polars as pl
from django.db import connection
from django.db.models import QuerySet

from relance.accounts.models import Organisation
from relance.imports.bulk import BATCH, copy_csv, insert_batches, new_row_defaults
from relance.imports.parsers.base import CreditLink
from relance.imports.parsers.fec_columnar import FecInvoices, money_text
from relance.imports.plan import IMPORT_NOTE, chunks, scan_whole_ledger
from relance.ledger.models import Allocation, Customer, Invoice
from relance.ledger.records import InvoiceRecord
from relance.ledger.selectors import scoped


@dataclass
class TablePlan:
    """The rows of a FEC table the import creates as they are (the rest went to the record path)."""

    new: pl.DataFrame  # the invoice table's columns, with due_date and content_hash
    unchanged: int


def plan_table(org: Organisation, table: FecInvoices, *, linked: set[str], terms: dict[str, int],
               ) -> tuple[TablePlan, list[InvoiceRecord]]:
    """Split the table: new rows to write by columns, unchanged rows counted, the rest as records.

    `linked`: numbers some credit note is set against (either side), `terms`: payment days per customer."""
    frame = table.frame
    if linked:
        frame = frame.filter(~pl.col("number").is_in(list(linked)))
    frame = _with_hashes(frame, terms)
    known = _existing(org, frame.get_column("number"))
    frame = frame.join(known, on="number", how="left", maintain_order="left")
    old = pl.col("old_hash")
    new = frame.filter(old.is_null()).drop("old_hash")
    unchanged = frame.filter(old == pl.col("content_hash")).height
    changed = set(frame.filter(old != pl.col("content_hash")).get_column("number").to_list())
    others = table.frame.filter(pl.col("number").is_in(list(linked | changed))) if linked or changed else None
    return TablePlan(new, unchanged), ([] if others is None else table.records(others))


def _with_hashes(frame: pl.DataFrame, terms: dict[str, int]) -> pl.DataFrame:
    """Due dates (the customer's terms: a FEC has none) and `services._content_hash` computed by columns.

    The fingerprint's text must be exactly the record path's, field by field: the FEC leaves due date, sent
    date, order number, payment reference and payee IBAN empty, its currency is EUR, and a row no credit
    note is set against was credited "0"."""
    days = pl.DataFrame({"ref": list(terms), "terms": list(terms.values())},
                        schema={"ref": pl.String, "terms": pl.Int64})
    frame = (frame.join(days, on="ref", how="left", maintain_order="left")
             .with_columns(due_date=pl.col("issue_date") + pl.duration(days=pl.col("terms"))).drop("terms"))
    text = pl.concat_str([
        "number", "kind", "ref", _day("issue_date"), pl.lit(""), pl.lit("EUR"), money_text(pl.col("total")),
        money_text(pl.col("excl")).fill_null(""), money_text(pl.col("paid")), _day("paid_date").fill_null(""),
        *[pl.lit("")] * 6, _day("due_date"), pl.lit("0")], separator="\x1f")
    texts = frame.select(text).to_series().to_list()
    sha256 = hashlib.sha256
    return frame.with_columns(content_hash=pl.Series([sha256(t.encode()).hexdigest() for t in texts],
                                                     dtype=pl.String))


def _day(name: str) -> pl.Expr:
    return pl.col(name).dt.strftime("%Y-%m-%d")


def _fetch(query: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """The rows of a values_list query, straight from the cursor (the ORM's iterator costs more than the query)."""
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _by_number(org: Organisation, numbers: pl.Series, *columns: str) -> list[tuple[Any, ...]]:
    """(number, *columns) of the organisation's invoices among `numbers`."""
    query = scoped(Invoice, org).values_list("number", *columns)
    if scan_whole_ledger(org, len(numbers)):
        return _fetch(query)
    return [row for part in chunks(numbers.to_list()) for row in _fetch(query.filter(number__in=part))]


def _existing(org: Organisation, numbers: pl.Series) -> pl.DataFrame:
    return pl.DataFrame(_by_number(org, numbers, "content_hash"),
                        schema={"number": pl.String, "old_hash": pl.String}, orient="row")


def write_table(org: Organisation, plan: TablePlan, customers: dict[str, Customer], *, today: date,
                ) -> dict[int, tuple[int, list[tuple[int, str]]]]:
    """INSERT the new rows and their accounting allocations. For the events: customer id → how many
    invoices were created, and the first hundred as (line, number)."""
    new = plan.new
    if new.is_empty():
        return {}
    rows = _invoice_rows(org, new, customers)
    _insert(Invoice, rows)
    ids = pl.DataFrame(_by_number(org, new.get_column("number"), "pk"),
                       schema={"number": pl.String, "invoice_id": pl.Int64}, orient="row")
    paid = (new.filter(pl.col("paid") > 0).join(ids, on="number", maintain_order="left")
            .select(org_id=pl.lit(org.pk), invoice_id="invoice_id", credit_note_id=pl.lit(None),
                    amount=money_text(pl.col("paid")), date=_day("paid_date").fill_null(str(today)),
                    note=pl.lit(IMPORT_NOTE), source=pl.lit(str(Allocation.Source.ACCOUNTING))))
    _insert(Allocation, paid)
    summary = (rows.select(new.get_column("line"), "customer_id", "number")
               .group_by("customer_id", maintain_order=True)
               .agg(count=pl.len(), line=pl.col("line").head(100), number=pl.col("number").head(100)))
    return {customer_id: (count, list(zip(lines, numbers, strict=True)))
            for customer_id, count, lines, numbers in summary.iter_rows()}


def _insert(model: type[Invoice | Allocation], rows: pl.DataFrame) -> None:
    """The rows, and every other column at what a new instance stores: CSV for PostgreSQL's COPY, else
    batches of tuples for executemany."""
    defaults = new_row_defaults(model, rows.columns)
    rows = rows.with_columns(pl.lit(value.isoformat() if isinstance(value, datetime) else value).alias(column)
                             for column, value in defaults.items())
    if connection.vendor == "postgresql":
        copy_csv(model, rows.columns, rows.write_csv(include_header=False, quote_style="non_numeric").encode())
        return
    insert_batches(model, rows.columns, (rows.slice(start, BATCH).rows() for start in range(0, rows.height, BATCH)))


def _invoice_rows(org: Organisation, new: pl.DataFrame, customers: dict[str, Customer]) -> pl.DataFrame:
    """The rows as the database takes them: dates and amounts as text, as the ORM stores them."""
    from relance.legal.terms import latest_lawful_due_date

    who = pl.DataFrame([(ref, c.pk, c.kind == "b2c") for ref, c in customers.items()],
                       schema={"ref": pl.String, "customer_id": pl.Int64, "b2c": pl.Boolean}, orient="row")
    issued = new.get_column("issue_date").unique().to_list()
    lawful = pl.DataFrame({"issue_date": issued, "latest": [latest_lawful_due_date(d) for d in issued]},
                          schema={"issue_date": pl.Date, "latest": pl.Date})
    kind, total, paid = pl.col("kind"), pl.col("total"), pl.col("paid")
    return (new.join(who, on="ref", how="left", maintain_order="left")
            .join(lawful, on="issue_date", how="left", maintain_order="left")
            .select(org_id=pl.lit(org.pk), customer_id="customer_id", number="number", kind="kind",
                    issue_date=_day("issue_date"), due_date=_day("due_date"),
                    terms_exceeded=~pl.col("b2c") & (pl.col("due_date") > pl.col("latest")),
                    currency=pl.lit("EUR"), total_incl_tax=money_text(total),
                    total_excl_tax=money_text(pl.col("excl")), sent_date=pl.lit(None, dtype=pl.String),
                    po_number=pl.lit(""), payment_reference=pl.lit(""), source=pl.lit("fec"),
                    source_ref=(pl.col("ref") + "/" + pl.col("number")).str.slice(0, 200),
                    content_hash="content_hash", payee_iban=pl.lit(""),
                    status=pl.when((kind == "invoice") & (paid >= total)).then(pl.lit(str(Invoice.Status.PAID)))
                    .otherwise(pl.lit(str(Invoice.Status.OPEN)))))


def linked_numbers(links: Iterable[CreditLink]) -> set[str]:
    """The numbers some credit note is set against, on either side."""
    return {n for link in links for n in (link.invoice, link.credit_note)}
