"""Debtor text in PDFs (WeasyPrint HTML) is escaped: printed as text, never parsed as markup or fetched."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from pypdf import PdfReader

from relance.channels.builders import context_for_customer
from relance.channels.letters import letter_render
from relance.channels.statement import statement_pdf
from relance.core.factories import ContactFactory, CustomerFactory, InvoiceFactory

pytestmark = pytest.mark.django_db
TODAY = date(2025, 3, 17)
HOSTILE = '<img src="file:///etc/hostname"><b>Garage</b>'


@pytest.fixture
def debtor(org):
    customer = CustomerFactory(org=org, name=HOSTILE, ref="C<1>", address="<i>8 quai</i>", postcode="69002",
                               city="Lyon")
    ContactFactory(customer=customer, name="<script>x</script>")
    InvoiceFactory(customer=customer, number="FA-<1>", total_incl_tax=Decimal("10.00"),
                   issue_date=date(2025, 1, 1), due_date=date(2025, 1, 31))
    return customer


def _text(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)


def test_the_statement_prints_the_hostile_name_as_text(org, debtor):
    data, _ = statement_pdf(org=org, customer=debtor, today=TODAY)
    text = _text(data)
    assert "<img" in text and "FA-<1>" in text


def test_a_letter_prints_the_hostile_name_as_text(org, debtor):
    ctx = context_for_customer(org=org, customer=debtor, today=TODAY, step="reminder_3", channel="letter")
    data, _ = letter_render(ctx, org=org)
    text = _text(data)
    assert "<img" in text and "<i>8 quai</i>" in text
