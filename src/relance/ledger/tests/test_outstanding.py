"""Ledger invariants: outstanding = total − allocations, never negative; credit notes and partial payments."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from relance.core.errors import ApplicationError
from relance.core.factories import CustomerFactory, InvoiceFactory, OrganisationFactory
from relance.ledger.models import Invoice, Payment
from relance.ledger.selectors import (
    customer_unapplied_credit,
    invoice_outstanding,
    invoices_with_outstanding,
    open_invoices,
)
from relance.ledger.services import allocation_add

DAY = date(2025, 3, 1)
cents = st.integers(min_value=1, max_value=10_000_000).map(lambda c: Decimal(c) / 100)


class OutstandingProperties(TestCase):
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(total=cents, parts=st.lists(st.integers(min_value=1, max_value=100), min_size=0, max_size=5))
    def test_outstanding_is_total_minus_allocations_and_never_negative(self, total, parts):
        org = OrganisationFactory()
        invoice = InvoiceFactory(customer=CustomerFactory(org=org), total_incl_tax=total)
        allocated = Decimal("0.00")
        for weight in parts:
            amount = min((total * weight / 100).quantize(Decimal("0.01")), total - allocated)
            if amount <= 0:
                continue
            allocation_add(org=org, invoice=invoice, amount=amount, day=DAY)
            allocated += amount
        row = invoices_with_outstanding(org).get(pk=invoice.pk)
        assert row.outstanding == total - allocated == invoice_outstanding(invoice)
        assert row.outstanding >= 0
        invoice.refresh_from_db()
        assert (invoice.status == Invoice.Status.PAID) == (allocated == total)


@pytest.mark.django_db
def test_allocating_more_than_outstanding_is_refused_and_changes_nothing(org):
    invoice = InvoiceFactory(customer=CustomerFactory(org=org), total_incl_tax=Decimal("100.00"))
    allocation_add(org=org, invoice=invoice, amount=Decimal("60.00"), day=DAY)
    with pytest.raises(ApplicationError, match="supérieure au reste dû"):
        allocation_add(org=org, invoice=invoice, amount=Decimal("40.01"), day=DAY)
    assert invoice_outstanding(invoice) == Decimal("40.00")


@pytest.mark.django_db
def test_a_credit_note_settles_an_invoice_and_its_unapplied_part_stays_visible(org):
    customer = CustomerFactory(org=org)
    invoice = InvoiceFactory(customer=customer, total_incl_tax=Decimal("500.00"))
    credit = InvoiceFactory(customer=customer, kind=Invoice.Kind.CREDIT_NOTE, total_incl_tax=Decimal("200.00"))
    allocation_add(org=org, invoice=invoice, amount=Decimal("150.00"), day=DAY, credit_note=credit)
    rows = {i.number: i.outstanding for i in invoices_with_outstanding(org)}
    assert rows[invoice.number] == Decimal("350.00")
    assert rows[credit.number] == Decimal("50.00")
    assert list(open_invoices(org).values_list("number", flat=True)) == [invoice.number]


@pytest.mark.django_db
def test_an_overpayment_stays_as_unapplied_credit_on_the_customer(org):
    customer = CustomerFactory(org=org)
    invoice = InvoiceFactory(customer=customer, total_incl_tax=Decimal("100.00"))
    payment = Payment.objects.create(org=org, customer=customer, date=DAY, amount=Decimal("130.00"))
    allocation_add(org=org, invoice=invoice, amount=Decimal("100.00"), day=DAY, payment=payment)
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    assert customer_unapplied_credit(org=org, customer=customer) == Decimal("30.00")


@pytest.mark.django_db
def test_one_organisation_cannot_allocate_to_anothers_invoice(org, other_org):
    invoice = InvoiceFactory(customer=CustomerFactory(org=other_org))
    with pytest.raises(ApplicationError):
        allocation_add(org=org, invoice=invoice, amount=Decimal("1.00"), day=DAY)
    assert invoice_outstanding(invoice) == invoice.total_incl_tax
