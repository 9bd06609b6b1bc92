"""What an import will write, computed and checked before any write (shared by services and writer)."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, TypeVar

from tqdm import tqdm

from relance.accounts.models import Organisation
from relance.imports.parsers.base import CreditLink
from relance.ledger.models import Customer, Invoice
from relance.ledger.records import CustomerRecord, InvoiceRecord
from relance.ledger.selectors import scoped

IMPORT_NOTE = "Réglé selon la comptabilité (import)"
EINVOICE_SOURCES = {"facturx", "cii", "ubl"}
CHUNK = 900  # below SQLite's bound-parameter limit, large enough to keep query counts low
BATCH = 2000
PROGRESS_FROM = 20_000  # records; smaller imports finish before a bar would be useful
CUSTOMER_FIELDS = ("name", "kind", "siren", "siret", "vat_number", "address", "postcode", "city", "country")
INVOICE_FIELDS = ("customer", "kind", "issue_date", "due_date", "currency", "total_incl_tax", "total_excl_tax",
                  "sent_date", "po_number", "payment_reference", "payee_iban", "source", "source_ref",
                  "terms_exceeded", "content_hash")
T = TypeVar("T")

if TYPE_CHECKING:
    from relance.imports.table import TablePlan


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def scan_whole_ledger(org: Organisation, wanted: int) -> bool:
    """True when `wanted` invoice numbers are best read in one pass over the organisation's ledger: a large
    file against a ledger not much larger (one pass beats hundreds of IN lists)."""
    return wanted > 10 * CHUNK and scoped(Invoice, org).count() < 4 * wanted


@dataclass
class ImportPlan:
    """Everything the import will write, computed (and validated) before any write."""

    records: dict[str, InvoiceRecord] = field(default_factory=dict)
    links: list[CreditLink] = field(default_factory=list)
    customers: dict[str, CustomerRecord] = field(default_factory=dict)
    existing_customers: dict[str, Customer] = field(default_factory=dict)
    existing_hashes: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # content_hash, source, ref
    existing_invoices: dict[str, Invoice] = field(default_factory=dict)  # only those the import touches
    hashes: dict[str, str] = field(default_factory=dict)
    due_dates: dict[str, date] = field(default_factory=dict)
    phones: dict[str, str] = field(default_factory=dict)
    payee_ibans: dict[str, str] = field(default_factory=dict)  # invoice number → valid IBAN, compact
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    warnings: list[str] = field(default_factory=list)
    table: TablePlan | None = None  # the new rows of a FEC read by columns, written as a table


def progress_bar(items: Sequence[T], progress: bool, label: str) -> Iterable[T]:
    if not progress or len(items) < PROGRESS_FROM:
        return items
    return tqdm(items, desc=label, unit="ligne", file=sys.stderr, leave=False)
