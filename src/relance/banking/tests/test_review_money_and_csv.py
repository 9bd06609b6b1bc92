"""Review fixes: exact money sums from SQL, and a payment report CSV that no spreadsheet runs as formulas."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from relance.banking.selectors import allocated_by_invoice, open_book
from relance.banking.services import bank_import
from relance.banking.tests.builders import camt053, credit
from relance.core.factories import CustomerFactory, InvoiceFactory
from relance.ledger.services import allocation_add

pytestmark = pytest.mark.django_db
TODAY = date(2025, 3, 15)


def test_what_settles_an_invoice_is_summed_to_the_exact_cent(org):
    invoice = InvoiceFactory(customer=CustomerFactory(org=org), total_incl_tax=Decimal("199999.61"))
    for amount in ("0.10", "0.20", "99999.79"):  # SQLite sums REALs: 0.1 + 0.2 is 0.30000000000000004
        allocation_add(org=org, invoice=invoice, amount=Decimal(amount), day=TODAY)
    allocated = allocated_by_invoice(org)[invoice.id]
    assert str(allocated) == "100000.09"
    row = open_book(org).invoices[invoice.id]
    assert str(row.outstanding) == "99999.52"  # 199999.61 − 100000.09, two places, no float residue


def test_two_allocations_of_a_small_sum_stay_two_place_decimals(org):
    invoice = InvoiceFactory(customer=CustomerFactory(org=org), total_incl_tax=Decimal("1.00"))
    allocation_add(org=org, invoice=invoice, amount=Decimal("0.10"), day=TODAY)
    allocation_add(org=org, invoice=invoice, amount=Decimal("0.20"), day=TODAY)
    assert str(allocated_by_invoice(org, [invoice.id])[invoice.id]) == "0.30"


@pytest.mark.parametrize("name", ["=HYPERLINK(\"http://x\")", "+33 Garage", "-cmd", "@SUM(A1)"])
def test_the_payment_report_csv_neutralises_formulas_in_debtor_text(org, victor, client_for, name):
    customer = CustomerFactory(org=org, ref="@REF", name=name)
    InvoiceFactory(customer=customer, number="=FA-1", total_incl_tax=Decimal("100.00"))
    bank_import(org=org, paths=[("r.xml", camt053(credit("100.00", ref="=U1", remittance="=FA-1",
                                                            day="2025-03-12")))], today=TODAY)
    response = client_for(victor).get(reverse("banking:report"),
                                      {"start": "2025-03-01", "end": "2025-03-31", "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 2, rows
    number, ref, customer_name, *_, bank_ref, _paid = rows[1]
    assert (number, ref, customer_name) == ("'=FA-1", "'@REF", f"'{name}")
    assert not bank_ref.startswith(("=", "+", "-", "@"))
