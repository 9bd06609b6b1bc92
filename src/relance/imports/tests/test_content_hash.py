"""The import fingerprint must never drift: a different text would make every invoice of every
organisation read as changed on its next import (and every e-invoice as a conflict)."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal

import pytest

from relance.imports.parsers.einvoice import EInvoiceRecord
from relance.imports.services import _content_hash
from relance.ledger.records import CustomerRecord, InvoiceRecord

CUSTOMER = CustomerRecord(ref="C001", name="Boulangerie Martin")


def reference_hash(r: InvoiceRecord, due: date, credited: Decimal) -> str:
    """The formula as first written: every part as str, None as "", joined by U+001F."""
    parts = (r.number, r.kind, r.customer.ref, r.issue_date, r.due_date, r.currency, r.total_incl_tax,
             r.total_excl_tax, r.amount_paid, r.paid_date, r.sent_date, r.po_number, r.payment_reference,
             r.payee_iban, getattr(r, "type_code", ""), getattr(r, "buyer_identity", ""), due, credited)
    return hashlib.sha256("\x1f".join("" if p is None else str(p) for p in parts).encode()).hexdigest()


RECORDS = [
    InvoiceRecord(file="f.txt", line=2, number="FA-1", customer=CUSTOMER, issue_date=date(2025, 1, 10),
                  due_date=None, total_incl_tax=Decimal("1200.00"), source="fec"),
    InvoiceRecord(file="f.csv", line=3, number="FA-2", customer=CUSTOMER, issue_date=date(2025, 1, 10),
                  due_date=date(2025, 2, 9), total_incl_tax=Decimal("99.90"), total_excl_tax=Decimal("83.25"),
                  amount_paid=Decimal("10.00"), paid_date=date(2025, 1, 20), sent_date=date(2025, 1, 11),
                  po_number="PO-7", payment_reference="RF18539007547034", payee_iban="FR7630006000011234567890189"),
    EInvoiceRecord(file="x.xml", line=1, number="471102", customer=CUSTOMER, issue_date=date(2018, 3, 5),
                   due_date=None, total_incl_tax=Decimal("529.87"), kind="credit_note", source="cii",
                   type_code="381", buyer_identity="Kunde|||DE123"),
]


@pytest.mark.parametrize("record", RECORDS, ids=[r.number for r in RECORDS])
@pytest.mark.parametrize("credited", [Decimal("0"), Decimal("120.00"), "0"])
def test_the_content_hash_is_the_one_first_stored(record, credited):
    due = date(2025, 3, 1)
    expected = reference_hash(record, due, Decimal(credited))
    assert _content_hash(record, due, credited, {}) == expected
    assert _content_hash(record, due, credited, {date(2025, 1, 10): "2025-01-10"}) == expected
