"""Typed records that parsers produce and the ledger services consume (no ORM here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class CustomerRecord:
    ref: str
    name: str
    kind: str = "b2b"
    email: str = ""
    phone: str = ""
    siren: str = ""
    siret: str = ""
    vat_number: str = ""
    address: str = ""
    postcode: str = ""
    city: str = ""
    country: str = "FR"


@dataclass(frozen=True)
class InvoiceRecord:
    """One invoice or credit note as read from a file; `line` points back at the source."""

    file: str
    line: int
    number: str
    customer: CustomerRecord
    issue_date: date
    due_date: date | None
    total_incl_tax: Decimal
    kind: str = "invoice"
    currency: str = "EUR"
    total_excl_tax: Decimal | None = None
    amount_paid: Decimal = Decimal("0.00")
    paid_date: date | None = None
    sent_date: date | None = None
    po_number: str = ""
    payment_reference: str = ""
    payee_iban: str = ""
    source: str = "csv"
    source_ref: str = ""
    document: bytes | None = field(default=None, repr=False, compare=False)
    document_name: str = ""
